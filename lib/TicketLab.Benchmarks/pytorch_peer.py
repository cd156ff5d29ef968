"""The PyTorch peer of TicketLab's benchmarks: times the same operations as StepBenchmarks.cs.

Usage: python3 pytorch_peer.py THREADS ROUNDS MATMUL_SIZE
Prints one JSON object: median seconds of one training step of the 784-300-100-10 MLP (batch 128, Adam,
cross-entropy, forward + backward + update), of one step of the convnet 3-32-64-128 (batch 128 of 3x32x32), and of one
float32 square matrix product, with the versions used.
"""
import json
import os
import re
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def median_seconds(action, rounds, target_seconds=0.5):
    """Median over rounds of the mean time of one call; each round repeats the call for about target_seconds."""
    action()
    start = time.perf_counter()
    action()
    once = max(time.perf_counter() - start, 1e-6)
    repeats = max(1, int(target_seconds / once))
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            action()
        times.append((time.perf_counter() - start) / repeats)
    return statistics.median(times)


def main():
    threads, rounds, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 300), torch.nn.ReLU(),
        torch.nn.Linear(300, 100), torch.nn.ReLU(),
        torch.nn.Linear(100, 10))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(128, 784)
    y = torch.randint(0, 10, (128,))

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.item()
        loss.backward()
        optimizer.step()

    # Notebook 04's convnet: 3-32-64-128, 3x3 convolutions with padding 1, ReLU and 2x2 max-pool per block, a linear readout.
    blocks = []
    channels = 3
    for out in (32, 64, 128):
        blocks += [torch.nn.Conv2d(channels, out, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
        channels = out
    conv = torch.nn.Sequential(*blocks, torch.nn.Flatten(), torch.nn.Linear(128 * 4 * 4, 10))
    conv_optimizer = torch.optim.Adam(conv.parameters(), lr=1e-3)
    images = torch.randn(128, 3, 32, 32)

    def conv_step():
        conv_optimizer.zero_grad()
        loss = F.cross_entropy(conv(images), y)
        loss.item()
        loss.backward()
        conv_optimizer.step()

    a = torch.randn(size, size)
    b = torch.randn(size, size)

    def matmul():
        torch.mm(a, b)

    match = re.search(r"BLAS_INFO=([^,]+)", torch.__config__.show())
    blas = match.group(1) if match else "unknown"
    # Debian builds against the generic libblas.so.3; the alternatives system says which BLAS that is.
    for link in ("/etc/alternatives/libblas.so.3-x86_64-linux-gnu", "/etc/alternatives/libblas.so.3-aarch64-linux-gnu"):
        if os.path.exists(link):
            blas += " -> " + os.path.realpath(link)
    print(json.dumps({
        "torch_version": torch.__version__,
        "blas": blas,
        "threads": torch.get_num_threads(),
        "python": sys.version.split()[0],
        "step_seconds": median_seconds(step, rounds),
        "conv_step_seconds": median_seconds(conv_step, rounds),
        "matmul_seconds": median_seconds(matmul, rounds),
        "matmul_size": size,
    }))


if __name__ == "__main__":
    main()
