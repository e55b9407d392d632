"""Writes fixtures.json: reference numbers from PyTorch for the USI recipe parts.

Run with Debian's python (torch 1.13, numpy):  /usr/bin/python3 training/recipe/reference/make_fixtures.py
CI has no torch, so the TypeScript tests read the committed JSON this script writes.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)
rng = np.random.default_rng(1234)
out = {}

# --- KD loss: CE(student, mixed targets) + alpha * tau^2 * KL(softmax(t/tau) || softmax(s/tau)), batch mean
n, c = 4, 5
student = rng.normal(0, 2, (n, c)).astype(np.float32)
teacher = rng.normal(0, 2, (n, c)).astype(np.float32)
# mixup/cutmix targets: lam * onehot(a) + (1 - lam) * onehot(b)
a = [0, 3, 1, 4]
b = [2, 3, 0, 1]
lams = [0.7, 1.0, 0.35, 0.5]
targets = np.zeros((n, c), np.float32)
for i in range(n):
    targets[i, a[i]] += lams[i]
    targets[i, b[i]] += 1 - lams[i]

kd_cases = []
for alpha, tau, kd_only in [(5.0, 1.0, False), (5.0, 2.0, False), (5.0, 1.0, True), (0.0, 1.0, False), (1.0, 0.5, False)]:
    s = torch.tensor(student, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(teacher, dtype=torch.float64)
    y = torch.tensor(targets, dtype=torch.float64)
    ce = torch.sum(-y * F.log_softmax(s, dim=1), dim=1).mean()
    kl = F.kl_div(F.log_softmax(s / tau, dim=1), F.log_softmax(t / tau, dim=1), reduction='batchmean', log_target=True) * tau * tau
    loss = alpha * kl if kd_only else ce + alpha * kl
    loss.backward()
    kd_cases.append({
        'alphaKd': alpha, 'temperature': tau, 'kdOnly': kd_only,
        'loss': loss.item(), 'ce': ce.item(), 'kl': kl.item() / (tau * tau),
        'gradStudent': s.grad.numpy().tolist(),
    })
out['kd'] = {'student': student.tolist(), 'teacher': teacher.tolist(), 'targets': targets.tolist(), 'cases': kd_cases}

# --- AdamW with two parameter groups: decay (weights) and no decay (bias, norm scale)
w0 = rng.normal(0, 1, (3, 4)).astype(np.float32)
b0 = rng.normal(0, 1, (4,)).astype(np.float32)
g0 = (1 + rng.normal(0, 0.1, (4,))).astype(np.float32)
steps = 5
lrs = [1e-4, 1e-3, 2e-3, 2e-3, 5e-4]
grads = [
    {'w': rng.normal(0, 1, (3, 4)).astype(np.float32), 'b': rng.normal(0, 0.5, (4,)).astype(np.float32),
     'g': rng.normal(0, 0.01, (4,)).astype(np.float32)}
    for _ in range(steps)
]
pw = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
pb = torch.nn.Parameter(torch.tensor(b0, dtype=torch.float64))
pg = torch.nn.Parameter(torch.tensor(g0, dtype=torch.float64))
wd = 2e-2
opt = torch.optim.AdamW([
    {'params': [pw], 'weight_decay': wd},
    {'params': [pb, pg], 'weight_decay': 0.0},
], lr=lrs[0], betas=(0.9, 0.999), eps=1e-8)
trace = []
for k in range(steps):
    for group in opt.param_groups:
        group['lr'] = lrs[k]
    pw.grad = torch.tensor(grads[k]['w'], dtype=torch.float64)
    pb.grad = torch.tensor(grads[k]['b'], dtype=torch.float64)
    pg.grad = torch.tensor(grads[k]['g'], dtype=torch.float64)
    opt.step()
    trace.append({'w': pw.detach().numpy().tolist(), 'b': pb.detach().numpy().tolist(), 'g': pg.detach().numpy().tolist()})
out['adamw'] = {
    'weightDecay': wd, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8, 'lrs': lrs,
    'init': {'w': w0.tolist(), 'b': b0.tolist(), 'g': g0.tolist()},
    'grads': [{k2: v.tolist() for k2, v in g.items()} for g in grads],
    'after': trace,
}

# --- lr schedule: linear warm-up from warmupLr, cosine to minLr, then cool-down at minLr.
def schedule_trace(total, warmup, cooldown, lr, warmup_lr, min_lr):
    p = torch.nn.Parameter(torch.zeros(1))
    o = torch.optim.SGD([p], lr=lr)
    cosine_steps = total - warmup - cooldown
    scheds = [
        torch.optim.lr_scheduler.LinearLR(o, start_factor=warmup_lr / lr, end_factor=1.0, total_iters=warmup),
        torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=cosine_steps, eta_min=min_lr),
        torch.optim.lr_scheduler.ConstantLR(o, factor=min_lr / lr, total_iters=10 ** 9),
    ]
    seq = torch.optim.lr_scheduler.SequentialLR(o, scheds, milestones=[warmup, warmup + cosine_steps])
    lrs_out = []
    for _ in range(total):
        lrs_out.append(o.param_groups[0]['lr'])
        o.step()
        seq.step()
    return lrs_out

import warnings
warnings.filterwarnings('ignore')
out['schedule'] = []
for total, warmup, cooldown in [(100, 5, 4), (40, 1, 2), (300, 20, 10)]:
    out['schedule'].append({'total': total, 'warmup': warmup, 'cooldown': cooldown, 'lr': 2e-3, 'warmupLr': 1e-4,
                            'minLr': 1e-6, 'lrs': schedule_trace(total, warmup, cooldown, 2e-3, 1e-4, 1e-6)})

# --- EMA of a module's whole state (parameters and batch-norm buffers), as timm's ModelEmaV2
model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
decay = 0.9
# the EMA starts as a copy of the initial state; integer buffers (num_batches_tracked) are not averaged
ema_state = {k: v.detach().clone().double() for k, v in model.state_dict().items() if v.dtype.is_floating_point}
init_state = {k: v.flatten().tolist() for k, v in ema_state.items()}
states = []
for step in range(4):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.5)
    model.train()
    model(torch.randn(8, 3))  # updates the batch-norm running statistics
    cur = {k: v.detach().clone().double() for k, v in model.state_dict().items() if v.dtype.is_floating_point}
    for k in ema_state:
        ema_state[k].mul_(decay).add_(cur[k], alpha=1 - decay)
    states.append({'weights': {k: v.flatten().tolist() for k, v in cur.items()},
                   'ema': {k: v.flatten().tolist() for k, v in ema_state.items()}})
out['ema'] = {'decay': decay, 'names': list(ema_state.keys()), 'init': init_state, 'steps': states}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=1)
print('wrote', path)
