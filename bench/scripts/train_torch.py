"""PyTorch peer of `npm run bench:train`: the same whole USI training job in PyTorch 1.13 /
torchvision, for the same architectures (training/models/fixtures/make_fixtures.py, whose
parameter counts the tests match against the tfjs builders) and the same teacher (resnet26_s,
rebuilt here, untrained weights), on the same ImageFolder images:
  DataLoader (num_workers = threads) -> RandomResizedCrop(32, (0.08, 1), (3/4, 4/3)) ->
  RandomHorizontalFlip -> RandAugment(num_ops=2, magnitude=7) -> ToTensor -> Normalize (ImageNet)
  -> mixup 0.8 / cutmix 1.0, switch 0.5, one lambda per batch, batch flipped (timm mode 'batch')
  -> teacher logits (eval, no grad) -> CE(soft targets) + alpha_kd * tau^2 * KL(teacher || student)
  -> backward -> AdamW -> EMA of the whole state dict.
Times steps after one warm-up step. Prints one JSON line: {"version", "rows": [{"model", "threads",
"params", "teacher_params", "job"}]} with job in images/s, or {"skipped": why}.
"""
import argparse
import json
import os
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, Subset
    from torchvision import datasets, transforms
except Exception as exc:  # torch or torchvision missing: the bench reports it and goes on
    print(json.dumps({"skipped": f"torch/torchvision not importable ({exc.__class__.__name__}: {exc})"}))
    raise SystemExit(0)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "training", "models", "fixtures"))
from make_fixtures import Mixer, ViT, conv_bn, count, models  # noqa: E402


# The fixtures only count parameters of these two; their forward passes, as the tfjs builders run them
def vit_forward(self, x):
    x = self.embed(x).flatten(2).transpose(1, 2)
    if self.cls is not None:
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1)
    x = self.norm(self.blocks(x + self.pos))
    return self.head(x[:, 0] if self.cls is not None else x.mean(1))


def mixer_forward(self, x):
    x = self.embed(x).flatten(2).transpose(1, 2)
    for n1, t1, t2, n2, c1, c2 in self.blocks:
        x = x + t2(F.gelu(t1(n1(x).transpose(1, 2)))).transpose(1, 2)
        x = x + c2(F.gelu(c1(n2(x))))
    return self.head(self.norm(x).mean(1))


ViT.forward = vit_forward
Mixer.forward = mixer_forward

IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


class Bottleneck(nn.Module):
    """v1.5 (stride on the 3x3), as training/models/blocks.ts's bottleneckBlock: out = 4 x width."""

    def __init__(self, cin, width, stride):
        super().__init__()
        cout = 4 * width
        self.body = nn.Sequential(*conv_bn(cin, width, 1), nn.ReLU(), *conv_bn(width, width, 3, stride), nn.ReLU(), *conv_bn(width, cout, 1))
        self.short = nn.Sequential(*conv_bn(cin, cout, 1, stride)) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return F.relu(self.body(x) + self.short(x))


def resnet26_s(cin, ncls):
    layers, c = [*conv_bn(cin, 32, 3, 2), nn.ReLU()], 32
    for stage, w in enumerate([32, 64, 128, 256]):
        for i in range(2):
            layers.append(Bottleneck(c, w, 2 if stage > 0 and i == 0 else 1))
            c = 4 * w
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, ncls))


def mix(x, y, ncls, gen):
    """timm Mixup, mode 'batch', mixup_alpha 0.8, cutmix_alpha 1.0, switch_prob 0.5, prob 1, correct_lam."""
    onehot = F.one_hot(y, ncls).float()
    if gen.random() < 0.5:
        lam = float(gen.beta(1.0, 1.0))
        h, w = x.shape[2:]
        r = np.sqrt(1 - lam)
        ch, cw = int(h * r), int(w * r)
        cy, cx = gen.integers(h), gen.integers(w)
        yl, yh = np.clip(cy - ch // 2, 0, h), np.clip(cy + ch // 2, 0, h)
        xl, xh = np.clip(cx - cw // 2, 0, w), np.clip(cx + cw // 2, 0, w)
        x[:, :, yl:yh, xl:xh] = x.flip(0)[:, :, yl:yh, xl:xh]
        lam = 1 - (yh - yl) * (xh - xl) / (h * w)
    else:
        lam = float(gen.beta(0.8, 0.8))
        x.mul_(lam).add_(x.flip(0).mul_(1 - lam))
    return x, onehot * lam + onehot.flip(0) * (1 - lam)


@torch.no_grad()
def ema_update(ema, model, decay):
    """timm's ModelEmaV2 over the whole state dict (batch-norm statistics too), as our ema.ts."""
    for k, v in model.state_dict().items():
        if v.dtype.is_floating_point:
            ema[k].mul_(decay).add_(v, alpha=1 - decay)
        else:
            ema[k].copy_(v)


def job(model_name, data, threads, batch, steps, alpha_kd, tau, lr, wd, ema_decay):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    gen = np.random.default_rng(1)
    tf = transforms.Compose([
        transforms.Resize(32), transforms.CenterCrop(32),
        transforms.RandomResizedCrop(32, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)), transforms.RandomHorizontalFlip(),
        transforms.RandAugment(num_ops=2, magnitude=7), transforms.ToTensor(), transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
    full = datasets.ImageFolder(os.path.join(data, "train"), transform=tf)
    ncls = len(full.classes)
    subset = Subset(full, gen.permutation(len(full))[: (steps + 1) * batch].tolist())
    loader = DataLoader(subset, batch_size=batch, shuffle=True, num_workers=threads, drop_last=True, persistent_workers=False)
    student = models(3, 32)[model_name]
    teacher = resnet26_s(3, ncls).eval()
    opt = torch.optim.AdamW(student.parameters(), lr=lr, weight_decay=wd)
    ema = {k: v.detach().clone() for k, v in student.state_dict().items()}
    student.train()
    times = []
    last = time.perf_counter()
    for x, y in loader:
        x, targets = mix(x, y, ncls, gen)
        with torch.no_grad():
            t_logits = teacher(x)
        logits = student(x)
        ce = torch.sum(-targets * F.log_softmax(logits, 1), 1).mean()
        kl = F.kl_div(F.log_softmax(logits / tau, 1), F.log_softmax(t_logits / tau, 1), reduction="batchmean", log_target=True)
        loss = ce + alpha_kd * tau * tau * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        ema_update(ema, student, ema_decay)
        loss.item()
        now = time.perf_counter()
        times.append(now - last)
        last = now
    timed = times[1:]
    return {"model": model_name, "threads": threads, "params": count(student), "teacher_params": count(teacher), "job": batch * len(timed) / sum(timed)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--models", default="resnet_ref,mobilenetv3_s,vit_tiny_s,mixer_s")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--alpha-kd", type=float, default=5)
    ap.add_argument("--temperature", type=float, default=1)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=2e-2)
    ap.add_argument("--ema-decay", type=float, default=0.999)
    a = ap.parse_args()
    rows = [job(m, a.data, int(t), a.batch, a.steps, a.alpha_kd, a.temperature, a.lr, a.weight_decay, a.ema_decay)
            for t in a.threads.split(",") for m in a.models.split(",")]
    print(json.dumps({"version": torch.__version__, "rows": rows}))


if __name__ == "__main__":
    main()
