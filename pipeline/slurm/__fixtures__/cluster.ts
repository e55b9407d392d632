/**
 * A real single-node Slurm cluster for tests (../shared/docs/SLURM.md): its own munged, slurmctld
 * and slurmd, every file (key, config, state, spool, logs, sockets) under one temp dir, on free
 * ports, so it neither needs nor touches a system Slurm. Clients reach it through SLURM_CONF.
 * Needs root (slurmd runs jobs as their user) and Debian's slurm-wlm and munge.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const DAEMONS = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd'];
const CLIENTS = ['sbatch', 'squeue', 'scancel', 'sinfo', 'scontrol'];
export const NODE_NAME = 'usibench-test';
export const PARTITION = 'debug';

/** Why a cluster cannot be started here, or null when it can. */
export function clusterUnavailable(): string | null {
  if (process.platform !== 'linux') return `Slurm tests need Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'Slurm tests need root (slurmd runs the jobs as their user); CI runs them as root';
  const missing = DAEMONS.filter((d) => !fs.existsSync(d));
  for (const c of CLIENTS) {
    try {
      execFileSync('which', [c], { stdio: 'ignore' });
    } catch {
      missing.push(c);
    }
  }
  return missing.length ? `Slurm tests need Debian's slurm-wlm and munge (apt-get install slurm-wlm munge); missing ${missing.join(', ')}` : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function until(what: string, ok: () => boolean, timeoutMs: number, logs: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) {
      const tails = logs.map((f) => `--- ${f}\n${fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').slice(-15).join('\n') : '(none)'}`).join('\n');
      throw new Error(`single-node Slurm: ${what} within ${timeoutMs / 1000} s\n${tails}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LocalCluster {
  dir: string;
  /** What a Slurm client needs to reach this cluster. */
  env: { SLURM_CONF: string };
  /** Runs a Slurm client command against this cluster. */
  run(command: string, args: string[]): string;
  /**
   * Cancels every job, stops the daemons, and returns the pids of processes that were left of
   * this cluster's jobs after the daemons stopped (killed then); [] when it stopped cleanly.
   */
  stop(): Promise<number[]>;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Processes whose environment names this cluster's config: the jobs' own and their children. */
function processesOf(conf: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`, 'utf8');
      if (env.split('\0').includes(`SLURM_CONF=${conf}`)) out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

export async function startCluster(): Promise<LocalCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-slurm-'));
  // munged refuses a socket in a directory others cannot search.
  fs.chmodSync(dir, 0o755);
  for (const d of ['state', 'spool']) fs.mkdirSync(path.join(dir, d));
  const key = path.join(dir, 'munge.key');
  fs.writeFileSync(key, crypto.randomBytes(1024), { mode: 0o600 });
  const socket = path.join(dir, 'munge.sock');
  const conf = path.join(dir, 'slurm.conf');
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const host = os.hostname().split('.')[0];
  const cpus = os.availableParallelism();
  fs.writeFileSync(
    conf,
    [
      'ClusterName=usibenchtest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'MpiDefault=none',
      'SlurmUser=root',
      'SlurmdUser=root',
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmdSpoolDir=${dir}/spool`,
      `StateSaveLocation=${dir}/state`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      'SchedulerType=sched/backfill',
      // Start a job whose dependency is met within a second, not at the next minute's pass.
      'SchedulerParameters=bf_interval=1,sched_min_interval=0,batch_sched_delay=0',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      'KillWait=5',
      'JobCompType=jobcomp/none',
      'AccountingStorageType=accounting_storage/none',
      `NodeName=${NODE_NAME} NodeHostname=${host} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
      `PartitionName=${PARTITION} Nodes=${NODE_NAME} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const run = (command: string, args: string[]) => execFileSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const daemons: ChildProcess[] = [];
  const logs = [`${dir}/munged.log`, `${dir}/slurmctld.log`, `${dir}/slurmd.log`, `${dir}/daemons.out`];
  const out = fs.openSync(`${dir}/daemons.out`, 'a');
  const daemon = (bin: string, args: string[]) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', out, out] });
    daemons.push(child);
    return child;
  };
  let stopped = false;
  const stop = async (): Promise<number[]> => {
    if (stopped) return [];
    stopped = true;
    try {
      const ids = run('squeue', ['--noheader', '--format=%i']).split('\n').filter(Boolean);
      if (ids.length) run('scancel', ids);
      await until('cancelled jobs to leave the queue', () => run('squeue', ['--noheader']).trim() === '', 30_000, logs).catch(() => {});
    } catch {
      // the controller never came up: nothing queued
    }
    for (const child of [...daemons].reverse()) {
      if (exited(child)) continue;
      child.kill('SIGTERM');
      await until(`${child.spawnargs[0]} to exit`, () => exited(child), 15_000, logs).catch(async () => {
        child.kill('SIGKILL');
        await until(`${child.spawnargs[0]} to die`, () => exited(child), 5_000, logs).catch(() => {});
      });
    }
    fs.closeSync(out);
    const strays = processesOf(conf);
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return strays;
  };
  try {
    daemon('/usr/sbin/munged', ['-F', `--socket=${socket}`, `--key-file=${key}`, `--log-file=${dir}/munged.log`, `--pid-file=${dir}/munged.pid`, `--seed-file=${dir}/munged.seed`]);
    await until('munged to open its socket', () => fs.existsSync(socket), 15_000, logs);
    daemon('/usr/sbin/slurmctld', ['-D', '-f', conf]);
    await until('slurmctld to answer', () => {
      try {
        return run('scontrol', ['ping']).includes('is UP');
      } catch {
        return false;
      }
    }, 30_000, logs);
    daemon('/usr/sbin/slurmd', ['-D', '-f', conf, '-N', NODE_NAME]);
    await until(`node ${NODE_NAME} to be idle`, () => {
      try {
        return run('sinfo', ['--noheader', '--format=%T']).trim() === 'idle';
      } catch {
        return false;
      }
    }, 30_000, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, env: { SLURM_CONF: conf }, run, stop };
}
