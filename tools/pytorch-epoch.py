#!/usr/bin/python3
"""pytorch-epoch.py DATA [EPOCHS]: the epoch `make bench` times, in PyTorch.

The study's chapter-4 network (784-128-10, tanh, softmax and cross-entropy
summed over the batch, batch 128, learning rate 0.001, momentum 0.9) in
float64 on one thread, on the study's data: each image z-scored by its own
mean and deviation, 48,000 images to train on and 12,000 to validate on (an
80/20 split of the training file). An epoch is what tools/bench.c times:
the training pass and the validation pass. Prints each epoch's time, then
one line for scripts:
    pytorch: epoch_s=<median> epochs=<n> version=<PyTorch's>
tools/bench.sh runs it beside the bench program when Debian's PyTorch is
installed (apt-get install python3-torch), so that both are timed on the
machine as it is at that moment. Only the time is compared: the split and the
initial weights are not the workbook's.
"""
import statistics
import sys
import time


def idx(path, magic, header):
    """The bytes after an IDX file's header, or one line naming what is wrong."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        sys.exit(f"pytorch-epoch: {path}: cannot read: {e.strerror}")
    if len(raw) < header or int.from_bytes(raw[:4], "big") != magic:
        sys.exit(f"pytorch-epoch: {path}: not an IDX file of the kind expected")
    return raw[header:]


def main():
    # Everything that can be refused is refused before NumPy and PyTorch are
    # imported, so that the refusals are tested where PyTorch is not installed.
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: pytorch-epoch.py DATA [EPOCHS]")
    data = sys.argv[1]
    epochs = sys.argv[2] if len(sys.argv) == 3 else "5"
    if not (epochs.isascii() and epochs.isdigit()) or not 1 <= int(epochs) <= 1000:
        sys.exit(f"pytorch-epoch: EPOCHS: expected a whole number from 1 to 1000, got '{epochs}'")
    epochs = int(epochs)
    raw_pixels = idx(f"{data}/train-images-idx3-ubyte", 2051, 16)
    if len(raw_pixels) % 784:
        sys.exit(f"pytorch-epoch: {data}/train-images-idx3-ubyte: not whole images of 28 x 28")
    raw_labels = idx(f"{data}/train-labels-idx1-ubyte", 2049, 8)
    n_images = len(raw_pixels) // 784
    if len(raw_labels) != n_images or n_images < 5:
        sys.exit(f"pytorch-epoch: {data}: {n_images} training images and {len(raw_labels)} labels")
    try:
        import numpy as np
        import torch
    except ImportError as e:
        sys.exit(f"pytorch-epoch: {e.name} is not installed (Debian: apt-get install python3-torch)")

    torch.set_num_threads(1)
    torch.manual_seed(1)

    pixels = np.frombuffer(raw_pixels, dtype=np.uint8).reshape(-1, 784).astype(np.float64)
    labels = np.frombuffer(raw_labels, dtype=np.uint8).astype(np.int64)
    pixels = (pixels - pixels.mean(axis=1, keepdims=True)) / pixels.std(axis=1, keepdims=True)
    order = np.random.default_rng(1).permutation(len(pixels))
    n_train = len(pixels) * 4 // 5
    x_train = torch.from_numpy(pixels[order[:n_train]].copy())
    y_train = torch.from_numpy(labels[order[:n_train]].copy())
    x_val = torch.from_numpy(pixels[order[n_train:]].copy())
    y_val = torch.from_numpy(labels[order[n_train:]].copy())

    net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.Tanh(),
                              torch.nn.Linear(128, 10)).double()
    step = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    loss_of = torch.nn.CrossEntropyLoss(reduction="sum")
    times = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        perm = torch.randperm(n_train)
        for b in range(0, n_train, 128):
            rows = perm[b:b + 128]
            step.zero_grad()
            loss = loss_of(net(x_train[rows]), y_train[rows])
            loss.backward()
            step.step()
        with torch.no_grad():
            val_loss = loss_of(net(x_val), y_val).item() / len(x_val)
        times.append(time.perf_counter() - start)
        print(f"pytorch: epoch {epoch}/{epochs}  val loss {val_loss:.4f}  ({times[-1]:.3f} s)",
              file=sys.stderr)
    print(f"pytorch: epoch_s={statistics.median(times):.3f} epochs={epochs} "
          f"version={torch.__version__}")


if __name__ == "__main__":
    main()
