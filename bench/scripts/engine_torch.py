"""PyTorch yardstick for `npm run bench:engine`: resnet_ref (training/models/resnet.ts) rebuilt
layer for layer, timed for training (forward + backward + SGD step) and inference at batch 64.

resnet_ref: 3x3 conv 16 -> BN -> ReLU; basic blocks of widths 32/64/128, 1/1/2 blocks, the
first block of stages 2 and 3 with stride 2; a block is 3x3 conv -> BN -> ReLU -> 3x3 conv -> BN,
plus a shortcut (1x1 conv -> BN when the shape changes), then ReLU; global average pool; dense
10. Convs have no bias (BN follows), BN eps 1e-5. (tfjs's 'same' padding pads a stride-2 conv
asymmetrically; PyTorch's padding=1 does not: same cost, not the same numbers.)

Prints one JSON line: {"version", "params", "rows": [{"threads", "train", "infer"}]} in images/s,
or {"skipped": why} when torch cannot be imported.
"""
import argparse
import json
import time

try:
    import torch
    import torch.nn as nn
except Exception as exc:  # torch missing or broken: the bench reports it and goes on
    print(json.dumps({"skipped": f"torch is not importable ({exc.__class__.__name__}: {exc})"}))
    raise SystemExit(0)


def conv_bn(cin, cout, k, stride):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)]


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(*conv_bn(cin, cout, 3, stride), nn.ReLU(), *conv_bn(cout, cout, 3, 1))
        self.short = nn.Identity() if stride == 1 and cin == cout else nn.Sequential(*conv_bn(cin, cout, 1, stride))
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.body(x) + self.short(x))


def resnet_ref(num_classes=10):
    layers = [*conv_bn(3, 16, 3, 1), nn.ReLU()]
    cin = 16
    for stage, (width, depth) in enumerate(zip([32, 64, 128], [1, 1, 2])):
        for i in range(depth):
            layers.append(Basic(cin, width, 2 if stage > 0 and i == 0 else 1))
            cin = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, num_classes)]
    return nn.Sequential(*layers)


def rate(fn, batch, warmup, iters):
    for _ in range(warmup):
        fn()
    t0 = time.perf_counter()
    for _ in range(iters):
        fn()
    return batch * iters / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--train-iters", type=int, default=3)
    ap.add_argument("--infer-iters", type=int, default=8)
    args = ap.parse_args()
    torch.manual_seed(1)
    model = resnet_ref()
    x = torch.randn(args.batch, 3, 32, 32)
    y = torch.randint(0, 10, (args.batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    def infer():
        with torch.no_grad():
            model(x)

    rows = []
    for t in [int(v) for v in args.threads.split(",")]:
        torch.set_num_threads(t)
        model.train()
        train = rate(train_step, args.batch, 1, args.train_iters)
        model.eval()
        inf = rate(infer, args.batch, 1, args.infer_iters)
        rows.append({"threads": t, "train": train, "infer": inf})
    params = sum(p.numel() for p in model.parameters())
    stats = sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
    print(json.dumps({"version": torch.__version__, "params": params + stats, "rows": rows}))


if __name__ == "__main__":
    main()
