"""PyTorch reference for bench/scripts/native/train-speed.mts: resnet_ref's architecture (3x3 stem 16,
basic blocks 32/64/128 x 1/1/2, GAP, linear 10) trained with SGD+momentum at batch 64, 32x32x3.
Prints train and infer images/s for the given thread count.
    /usr/bin/python3 bench/scripts/native/torch_resnet_ref.py --threads 2
"""
import argparse
import time

import torch
import torch.nn as nn


def conv_bn(cin, cout, k, stride=1, relu=True):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout, momentum=0.1, eps=1e-5)]
    return nn.Sequential(*layers, nn.ReLU()) if relu else nn.Sequential(*layers)


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = conv_bn(cin, cout, 3, stride)
        self.b = conv_bn(cout, cout, 3, relu=False)
        self.short = None if stride == 1 and cin == cout else conv_bn(cin, cout, 1, stride, relu=False)

    def forward(self, x):
        s = x if self.short is None else self.short(x)
        return torch.relu(self.b(self.a(x)) + s)


def resnet_ref():
    layers, cin = [conv_bn(3, 16, 3)], 16
    for stage, (w, d) in enumerate(zip([32, 64, 128], [1, 1, 2])):
        for i in range(d):
            layers.append(Basic(cin, w, 2 if stage > 0 and i == 0 else 1))
            cin = w
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--batch", type=int, default=64)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = resnet_ref()
    print(f"params {sum(p.numel() for p in model.parameters())}")
    x = torch.randn(a.batch, 3, 32, 32)
    y = torch.randint(0, 10, (a.batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def train():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()

    def infer():
        with torch.no_grad():
            model.eval()
            model(x).sum().item()
            model.train()

    for label, fn in (("train", train), ("infer", infer)):
        fn()
        t = time.perf_counter()
        for _ in range(a.steps):
            fn()
        s = (time.perf_counter() - t) / a.steps
        print(f"pytorch {label}: {a.batch / s:.1f} img/s ({s * 1000:.1f} ms/step, threads {a.threads})")


if __name__ == "__main__":
    main()
