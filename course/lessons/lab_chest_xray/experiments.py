"""Training runs of lab 3: the lecture's CNN for 28 x 28 chest X-rays, trained with mini-batches.

``XrayCNN`` is the lecture's network rebuilt for PneumoniaMNIST: two convolution + max-pooling blocks, a
dense layer and one logit (the sigmoid of which is the probability of pneumonia). ``train_cnn`` trains
it with Adam on mini-batches, with small random shifts and rotations when ``augment`` is set, and with
either PyTorch's weighted binary cross-entropy or the student's own ``weighted_bce_with_logits``
(NumPy: its ``dlogits`` is fed to autograd, so the student's gradient trains the network).
"""
from __future__ import annotations

import time

import numpy as np

#: The pixel statistics of the embedded training split (images scaled to [0, 1]).
PIXEL_MEAN = 0.5766
PIXEL_STD = 0.1646

#: The lab's training settings (the notebook's and the tests'): about 30 s on one CPU thread of a busy 2-core machine.
LAB_SETTINGS = dict(width=16, hidden=64, epochs=25, lr=4e-3, batch_size=64, augment=True)


def to_input(images, device=None):
    """uint8 images ``(N, 28, 28)`` -> a float32 tensor ``(N, 1, 28, 28)``, standardized with the training
    split's pixel statistics (fixed numbers: nothing is fitted on the images passed)."""
    import torch

    x = torch.as_tensor(np.asarray(images), dtype=torch.float32, device=device)
    if x.ndim == 3:
        x = x[:, None]
    return (x / 255.0 - PIXEL_MEAN) / PIXEL_STD


def make_cnn(width=16, hidden=64, seed=0):
    """The lab's CNN: conv 3x3 (1 -> width) + ReLU + max-pool 2, conv 3x3 (width -> 2 width) + ReLU +
    max-pool 2, a dense layer of ``hidden`` units with ReLU, and one logit. 28 x 28 -> 14 x 14 -> 7 x 7."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2 * width * 7 * 7, hidden), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(hidden, 1),
    )


def count_parameters(model) -> dict:
    """Layer name -> its number of parameters (weights and biases), and ``"total"``."""
    counts = {}
    for name, module in model.named_children():
        n = sum(p.numel() for p in module.parameters())
        if n:
            counts[f"{name}: {module.__class__.__name__}"] = n
    counts["total"] = sum(counts.values())
    return counts


def augment_batch(x, gen, max_shift=2, max_degrees=10):
    """Small random shifts (up to ``max_shift`` pixels) and rotations (up to ``max_degrees``) of a batch."""
    import torch
    import torch.nn.functional as F

    n = x.shape[0]
    angle = (torch.rand(n, generator=gen) * 2 - 1) * (max_degrees * np.pi / 180)
    shift = (torch.randint(-max_shift, max_shift + 1, (n, 2), generator=gen).float()) * (2 / x.shape[-1])
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta.to(x.device), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, padding_mode="border", align_corners=False)


def _numpy_loss(loss_fn, logits, y, pos_weight):
    """The student's NumPy loss as a torch value whose backward is the student's ``dlogits``."""
    import torch

    class StudentLoss(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            loss, dz = loss_fn(z.detach().cpu().double().numpy(), y, float(pos_weight))
            ctx.save_for_backward(torch.as_tensor(np.asarray(dz), dtype=z.dtype, device=z.device))
            return torch.as_tensor(float(loss), dtype=z.dtype, device=z.device)

        @staticmethod
        def backward(ctx, g):
            (dz,) = ctx.saved_tensors
            return g * dz

    return StudentLoss.apply(logits)


def train_cnn(X, y, *, pos_weight=1.0, loss_fn=None, epochs=8, batch_size=64, lr=2e-3, augment=True, seed=0,
              width=16, hidden=64, weight_decay=0.0, X_val=None, y_val=None, device=None, progress=True,
              desc="training"):
    """Train ``make_cnn(seed=seed)`` on uint8 images ``X`` and 0/1 labels ``y``.

    ``pos_weight`` multiplies the loss of the positive (pneumonia) images; ``loss_fn`` is None for
    ``F.binary_cross_entropy_with_logits`` or the student's ``weighted_bce_with_logits(logits, y,
    pos_weight) -> (loss, dlogits)``. Returns ``(model, history)``: the model in eval mode, and per epoch
    the mean training loss, the validation AUC (when ``X_val`` is given) and the seconds so far.
    """
    import torch

    import course

    device = device or course.device()
    threads = torch.get_num_threads()
    if device.type == "cpu":
        # One thread: on a shared 2-core machine two OpenMP threads wait for each other (measured under load:
        # 3 epochs took 47 s on two threads, 3 s on one).
        torch.set_num_threads(1)
    try:
        return _train(X, y, pos_weight, loss_fn, epochs, batch_size, lr, augment, seed, width, hidden, weight_decay,
                      X_val, y_val, device, progress, desc)
    finally:
        torch.set_num_threads(threads)


def _train(X, y, pos_weight, loss_fn, epochs, batch_size, lr, augment, seed, width, hidden, weight_decay, X_val,
           y_val, device, progress, desc):
    import torch
    import torch.nn.functional as F
    from torchmetrics.functional.classification import binary_auroc
    from tqdm.auto import tqdm

    model = make_cnn(width, hidden, seed=seed).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * int(np.ceil(len(X) / batch_size)))
    gen = torch.Generator().manual_seed(seed)
    xs, ys = to_input(X, device), torch.as_tensor(np.asarray(y), dtype=torch.float32, device=device)
    history = {"loss": [], "val_auc": [], "seconds": []}
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc=desc, disable=not progress)
    for _ in bar:
        model.train()
        order = torch.randperm(len(xs), generator=gen).to(device)
        total = 0.0
        for i in range(0, len(xs), batch_size):
            idx = order[i:i + batch_size]
            xb, yb = xs[idx], ys[idx]
            if augment:
                xb = augment_batch(xb, gen)
            logits = model(xb)[:, 0]
            if loss_fn is None:
                loss = F.binary_cross_entropy_with_logits(
                    logits, yb, pos_weight=torch.tensor(float(pos_weight), device=device))
            else:
                loss = _numpy_loss(loss_fn, logits, yb.cpu().numpy(), pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        history["loss"].append(total / len(xs))
        if X_val is not None:
            p = torch.as_tensor(predict_proba(model, X_val, device))
            history["val_auc"].append(float(binary_auroc(p, torch.as_tensor(np.asarray(y_val)))))
            bar.set_postfix(loss=f"{history['loss'][-1]:.3f}", val_auc=f"{history['val_auc'][-1]:.3f}")
        history["seconds"].append(time.perf_counter() - start)
    model.eval()
    return model, history


def predict_proba(model, images, device=None, batch_size=512):
    """The model's probability of pneumonia for each image, ``(N,)`` float64 NumPy (eval mode, no grad)."""
    import torch

    device = device or next(model.parameters()).device
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            out.append(torch.sigmoid(model(to_input(images[i:i + batch_size], device))[:, 0]).cpu())
    return torch.cat(out).double().numpy()


def saliency(model, images):
    """|d logit / d pixel| for each image (the input gradient), ``(N, 28, 28)``, each map scaled to [0, 1]."""
    import torch

    device = next(model.parameters()).device
    model.eval()
    x = to_input(images, device).requires_grad_(True)
    model(x)[:, 0].sum().backward()
    g = x.grad.abs()[:, 0]
    g = g / g.flatten(1).max(1).values[:, None, None].clamp_min(1e-12)
    return g.cpu().numpy()


def auc_of(y, p) -> float:
    """The ROC AUC of probabilities ``p`` against labels ``y`` (torchmetrics)."""
    import torch
    from torchmetrics.functional.classification import binary_auroc

    return float(binary_auroc(torch.as_tensor(np.asarray(p, dtype=np.float64)).float(),
                              torch.as_tensor(np.asarray(y)).long()))


def augmentation_study(seeds=(0, 1, 2), device=None):
    """The lab's model trained with and without augmentation for each seed (the student's loss replaced by
    PyTorch's, the threshold chosen on validation): one row per run with the test AUC and accuracy.

    About a minute per run on the 2-core CPU; ``python -c "from course.lessons import lab_chest_xray as L;
    L.print_augmentation_study()"`` prints the table quoted in the notebook.
    """
    import torch
    from torchmetrics.functional.classification import binary_roc

    from course import data

    X, y = data.load_pneumoniamnist("train")
    X_val, y_val = data.load_pneumoniamnist("val")
    X_test, y_test = data.load_pneumoniamnist("test")
    counts = np.bincount(y, minlength=2)
    rows = []
    for augment in (True, False):
        for seed in seeds:
            model, hist = train_cnn(X, y, **{**LAB_SETTINGS, "augment": augment}, pos_weight=counts[0] / counts[1],
                                    seed=seed, device=device, progress=False)
            fpr, tpr, thresholds = binary_roc(torch.as_tensor(predict_proba(model, X_val)), torch.as_tensor(y_val))
            t = float(thresholds[torch.argmax(tpr - fpr)])
            p = predict_proba(model, X_test)
            rows.append({"augment": augment, "seed": seed, "test_auc": auc_of(y_test, p),
                         "test_acc": float(np.mean((p >= t) == y_test)), "seconds": hist["seconds"][-1]})
    return rows


def print_augmentation_study(seeds=(0, 1, 2)):
    rows = augmentation_study(seeds)
    for augment in (True, False):
        sel = [r for r in rows if r["augment"] == augment]
        auc, acc = np.array([r["test_auc"] for r in sel]), np.array([r["test_acc"] for r in sel])
        print(f"augment={augment!s:5s} test AUC {auc.mean():.3f} ± {auc.std():.3f} {np.round(auc, 3).tolist()}  "
              f"accuracy {acc.mean():.3f} ± {acc.std():.3f} {np.round(acc, 3).tolist()}  "
              f"{np.mean([r['seconds'] for r in sel]):.0f} s per run")
