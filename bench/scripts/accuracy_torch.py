"""PyTorch peer of `npm run bench:accuracy`: the baseline recipe (no teacher, profile plain: no
augmentation) trained in PyTorch 1.13 on exactly the images usibench trained on, for the
architectures of training/models/fixtures/make_fixtures.py (parameter counts matched to the tfjs
builders by the model tests), with the forward passes of bench/scripts/train_torch.py.

What it shares with usibench by construction (read from --data, written by accuracy.ts): the
training and test images and labels (NHWC float32 in [0, 1]), the normalisation, the learning
rate of every optimiser step (our schedule.ts), the EMA decay (our ema.ts). What it implements
on its own: the models, initialisation (as our builders and tfjs' initialisers: He normal for
convolutions, truncated at 2 sd with no variance correction, as tfjs' heNormal; Glorot uniform for
linear layers and the patch embedding; zero biases; normal(0, 0.02) truncated at 2 sd for the ViT's
class token and position embedding), TF 'same' padding for strided convolutions (tfjs pads a
stride-2 3x3 conv on an even size 0 before and 1 after, PyTorch's padding=1 pads 1 on both sides:
the kernel would sample other pixels), batch order (its own shuffle per epoch, last partial batch dropped), the loss
(cross-entropy on one-hot targets), torch.optim.AdamW with weight decay off biases, 1-D
parameters and the ViT's token/position embedding, the EMA of the whole state dict, and the
evaluation (raw and EMA weights, the better kept, as train.ts keptWeights).
Runs at torch.set_num_threads(--threads, 2 by default: the 2-core machine's usibench gets both too).
Known differences left: initial weights come from other random streams (same distributions);
BatchNorm's running variance is PyTorch's unbiased batch variance where tfjs keeps the biased one
(a factor 1 + 1/(N·H·W − 1), under 0.04 % at batch 64 on 7x7 maps); float summation order.
Prints one JSON line: {"version", "threads", "peak_rss_mib", "rows": [{"model", "seed", "params",
"steps", "top1", "top1_raw", "top1_ema", "seconds"}]}.
"""
import argparse
import json
import os
import resource
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as exc:  # torch missing: the bench reports it and goes on
    print(json.dumps({"skipped": f"torch not importable ({exc.__class__.__name__}: {exc})"}))
    raise SystemExit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "training", "models", "fixtures"))
from train_torch import ema_update  # noqa: E402  (importing it also gives ViT and Mixer their forward passes)
from make_fixtures import count, models  # noqa: E402

# our blocks.ts: LN_EPSILON (BatchNorm's 1e-5 and momentum 0.1 = Keras 0.9 are PyTorch's defaults)
LN_EPSILON = 1e-6


def truncated(w, std):
    """tfjs' truncatedNormal: normal(0, std) redrawn outside 2 sd (PyTorch's a, b are absolute)."""
    return nn.init.trunc_normal_(w, std=std, a=-2 * std, b=2 * std)


def tf_same_padding(conv):
    """Pads as TensorFlow's 'same' does: total max((ceil(n/s) - 1)s + k - n, 0), the odd pixel after."""
    k, s = conv.kernel_size, conv.stride
    conv.padding = (0, 0)

    def pad(_, inputs):
        x = inputs[0]
        p = [max((-(-n // st) - 1) * st + kk - n, 0) for n, kk, st in zip(x.shape[2:], k, s)]
        return (F.pad(x, (p[1] // 2, p[1] - p[1] // 2, p[0] // 2, p[0] - p[0] // 2)),)

    conv.register_forward_pre_hook(pad)


def build(name, channels, res, seed):
    torch.manual_seed(seed)
    m = models(channels, res)[name]
    for mod in m.modules():
        if isinstance(mod, nn.Conv2d):
            # blocks.ts convBn: He normal (fan in) = tfjs VarianceScaling(2, fanIn, 'normal'), truncated
            truncated(mod.weight, (2 / (mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1])) ** 0.5)
            # make_fixtures' conv_bn pads k // 2, our convBn pads 'same': equal at stride 1, not at 2
            if max(mod.stride) > 1 and max(mod.kernel_size) > 1 and mod.padding == tuple(kk // 2 for kk in mod.kernel_size):
                tf_same_padding(mod)
        elif isinstance(mod, nn.Linear):
            nn.init.xavier_uniform_(mod.weight)
        if isinstance(mod, (nn.Conv2d, nn.Linear)) and mod.bias is not None:
            nn.init.zeros_(mod.bias)
        if isinstance(mod, nn.LayerNorm):
            mod.eps = LN_EPSILON
    for attr in ("pos", "cls"):
        p = getattr(m, attr, None)
        if isinstance(p, nn.Parameter):
            truncated(p, 0.02)
    # token-blocks.ts patchEmbed: the patch embedding is a linear map, initialised as one (Glorot)
    embed = getattr(m, "embed", None)
    if isinstance(embed, nn.Conv2d):
        nn.init.xavier_uniform_(embed.weight)
    return m


def param_groups(m, wd):
    decay, no_decay = [], []
    for n, p in m.named_parameters():
        (no_decay if p.ndim < 2 or n.endswith("bias") or n in ("pos", "cls") else decay).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


@torch.no_grad()
def top1(m, x, y, batch=256):
    m.eval()
    correct = 0
    for i in range(0, len(x), batch):
        correct += (m(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def job(name, seed, d, meta):
    started = time.perf_counter()
    m = build(name, meta["channels"], meta["resolution"], seed)
    opt = torch.optim.AdamW(param_groups(m, meta["weightDecay"]), lr=meta["lrs"][0], betas=(meta["beta1"], meta["beta2"]), eps=meta["eps"])
    ema = {k: v.detach().clone() for k, v in m.state_dict().items()}
    decay = meta["emaDecay"]
    gen = torch.Generator().manual_seed(seed)
    batch, step = meta["batchSize"], 0
    n = len(d["train_x"])
    for _ in range(meta["epochs"]):
        m.train()
        order = torch.randperm(n, generator=gen)
        for i in range(0, n - batch + 1, batch):
            idx = order[i:i + batch]
            for g in opt.param_groups:
                g["lr"] = meta["lrs"][step]
            loss = F.cross_entropy(m(d["train_x"][idx]), d["train_y"][idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            ema_update(ema, m, decay)
            step += 1
    raw = top1(m, d["test_x"], d["test_y"])
    m.load_state_dict(ema)
    ema_acc = top1(m, d["test_x"], d["test_y"])
    return {"model": name, "seed": seed, "params": count(m), "steps": step, "top1": max(raw, ema_acc), "top1_raw": raw, "top1_ema": ema_acc,
            "seconds": time.perf_counter() - started}


def load(data_dir, meta):
    r, c = meta["resolution"], meta["channels"]
    mean = torch.tensor(meta["mean"]).view(1, c, 1, 1)
    std = torch.tensor(meta["std"]).view(1, c, 1, 1)
    out = {}
    for split in ("train", "test"):
        x = np.fromfile(os.path.join(data_dir, f"{split}_x.f32"), dtype=np.float32).reshape(-1, r, r, c)
        y = np.fromfile(os.path.join(data_dir, f"{split}_y.i32"), dtype=np.int32)
        out[f"{split}_x"] = (torch.from_numpy(x).permute(0, 3, 1, 2).contiguous() - mean) / std
        out[f"{split}_y"] = torch.from_numpy(y.astype(np.int64))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="directory accuracy.ts wrote: meta.json, {train,test}_{x.f32,y.i32}")
    ap.add_argument("--models", required=True)
    ap.add_argument("--seeds", required=True, help="comma-separated seeds")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(os.path.join(a.data, "meta.json")) as f:
        meta = json.load(f)
    d = load(a.data, meta)
    rows = []
    for name in a.models.split(","):
        for seed in (int(s) for s in a.seeds.split(",")):
            rows.append(job(name, seed, d, meta))
            print(f"torch {name} seed {seed}: top-1 {100 * rows[-1]['top1']:.1f} % in {rows[-1]['seconds']:.0f} s", file=sys.stderr, flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"version": torch.__version__, "threads": a.threads, "peak_rss_mib": peak, "rows": rows}))


if __name__ == "__main__":
    main()
