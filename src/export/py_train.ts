// train.py of an exported run (generated text): the lab's optimiser
// (AdamW with decay on matrices only, global-norm clipping), its schedule
// (src/train/schedule.ts), its data windows (lab_data.py), evaluation against
// length; --verify and --check compare with the lab's own numbers.

export const TRAIN_PY = String.raw`"""Train, verify and check this exported Attention Lab run with PyTorch.

  python3 train.py --verify            the lab's validation loss at every length, within 1e-4 relative
  python3 train.py --check             gradients at init and the first training losses, against the lab's
  python3 train.py --steps 2000        train from the lab's initial weights (--init trained: continue)
  torchrun --nproc_per_node 4 train.py --device cuda     the same on 4 GPUs (DistributedDataParallel)

Settings come from config.json (edit it to scale up: width, depth, heads, layers, T, steps).
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

from lab_data import LabRng, documents, eval_windows, load_safetensors, save_safetensors, stream_rows, train_batch
from model import GPT

HERE = os.path.dirname(os.path.abspath(__file__))


def here(name):
    return os.path.join(HERE, name)


def learning_rate(step, t):
    """Linear warm-up to lr, then cosine to lr * minLrRatio at the last step (0-based step)."""
    if step < t["warmupSteps"]:
        return (step + 1) / t["warmupSteps"] * t["lr"]
    span = t["steps"] - 1 - t["warmupSteps"]
    if span <= 0:
        return t["lr"]
    f = min(1.0, (step - t["warmupSteps"]) / span)
    low = t["lr"] * t["minLrRatio"]
    return low + 0.5 * (1 + math.cos(math.pi * f)) * (t["lr"] - low)


def optimiser(model, t):
    """AdamW: decoupled weight decay on matrices only, the lab's betas and eps."""
    mats = [p for p in model.parameters() if p.dim() >= 2]
    vecs = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": mats, "weight_decay": t["weightDecay"]}, {"params": vecs, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=t["lr"], betas=(t["beta1"], t["beta2"]), eps=t["eps"])


def train_step(model, opt, inp, tgt, step, t):
    """One step: loss, backward, clip by the global norm (gradClip, 0 = off), AdamW at this step's lr."""
    loss = model(inp, tgt)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    if t["gradClip"] > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), t["gradClip"])
    for g in opt.param_groups:
        g["lr"] = learning_rate(step, t)
    opt.step()
    return loss.detach()


def windows_at(docs, windows, L, device):
    """The validation windows' first L tokens and their next tokens."""
    w = torch.stack([docs[d][s:s + L + 1] for d, s in windows]).to(device)
    return w[:, :-1], w[:, 1:]


@torch.no_grad()
def evaluate(model, docs, windows, L, chunk=64, **variant):
    """Mean loss (nats/token) over every position of the windows at length L."""
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(windows), chunk):
        inp, tgt = windows_at(docs, windows[i:i + chunk], L, model.wte.device)
        logits = model(inp, reweight_p=variant.get("reweight_p", "auto"), hybridskip=variant.get("hybridskip", False))
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), reduction="sum").item()
        count += tgt.numel()
    return total / count


def load():
    cfg = json.load(open(here("config.json")))
    data = load_safetensors(here("data.safetensors"))
    val = documents(data["val_tokens"], data["val_offsets"].tolist())
    train = documents(data["train_tokens"], data["train_offsets"].tolist()) if "train_tokens" in data else None
    if "eval_windows" in data:
        windows = [tuple(w) for w in data["eval_windows"].tolist()]
    else:  # another corpus: draw windows as the lab does
        e = cfg["eval"]
        windows = eval_windows(val, e["windows"], max(e["factors"]) * cfg["train"]["seqLen"], e["seed"])
    return cfg, train, val, windows


def variant_of(entry):
    """How the lab evaluated one loss-vs-length entry of results.json."""
    if entry["label"] == "as trained":
        return {"hybridskip": False}
    if entry["hybridskip"]:
        return {"hybridskip": True}
    return {"reweight_p": entry["reweightP"]}


def verify(cfg, val, windows):
    """The trained weights on the lab's validation windows, every length of every evaluation the lab ran."""
    results = json.load(open(here("results.json")))
    model = GPT(cfg["model"]).double()
    model.load_lab(load_safetensors(here("weights.safetensors")))
    worst, rows, skipped = 0.0, [], []
    for entry in results["lossVsLength"]:
        if entry.get("window"):  # windowed evaluation (each query reads its last T keys): not in model.py yet
            skipped.append(entry["label"])
            continue
        for r in entry["lengths"]:
            ours = evaluate(model, val, windows, r["length"], **variant_of(entry))
            rel = abs(ours - r["meanLoss"]) / r["meanLoss"]
            worst = max(worst, rel)
            rows.append((entry["label"], r["length"], r["meanLoss"], ours, rel))
    print(f"{'evaluation':<24} {'length':>6} {'lab':>10} {'pytorch':>10} {'rel diff':>9}")
    for label, L, lab, ours, rel in rows:
        print(f"{label:<24} {L:>6} {lab:>10.6f} {ours:>10.6f} {rel:>9.2e}{'' if rel <= 1e-4 else '  FAIL'}")
    if skipped:
        print(f"not verified (model.py has no windowed evaluation yet): {', '.join(skipped)}")
    ok = worst <= 1e-4
    print(f"verify: {'ok' if ok else 'FAILED'}: worst relative difference {worst:.2e} (limit 1e-4)")
    return ok, worst


def check(cfg, train_docs, val, windows):
    """Gradients of one batch at init and the first training losses, PyTorch (float64) against the lab (WGSL)."""
    ck = load_safetensors(here("check.safetensors"))
    t = cfg["train"]
    inputs, targets, lab_losses = ck["batch_input"].long(), ck["batch_target"].long(), ck["losses"].double()
    report = {}
    if train_docs is not None:
        rng = LabRng(t["seed"])
        same = all(
            torch.equal(torch.stack(train_batch(train_docs, t["batchSize"], t["seqLen"], rng)), torch.stack([i, g]))
            for i, g in zip(inputs, targets)
        )
        report["batches_match"] = same
    m = cfg["model"]
    max_len = max(cfg["eval"]["factors"]) * t["seqLen"]
    report["windows_match"] = eval_windows(val, cfg["eval"]["windows"], max_len, cfg["eval"]["seed"]) == windows
    if "stream_rows" in ck:
        ours = stream_rows(m["seed"], ck["stream_rows"].shape[0], m["nEmbd"], m["initStd"])
        report["stream_match"] = torch.equal(ours, ck["stream_rows"])

    model = GPT(m).double()
    model.load_lab(ck, "init/")
    model.train()
    model(inputs[0], targets[0]).backward()
    grad_worst, failures = 0.0, []
    for name, p in model.named_parameters():
        lab = ck["grad/" + model.lab_state_name(name)].double()
        scale = lab.abs().max().item()
        diff = (p.grad - lab).abs()
        grad_worst = max(grad_worst, diff.max().item() / max(scale, 1e-30))
        # The lab's whole-model tolerance (tests/gpu/model_helpers.ts): f32 reductions against f64.
        if not bool((diff <= 2e-3 * lab.abs() + 1e-3 * scale + 1e-9).all()):
            failures.append(name)
    report["grad_worst"] = grad_worst
    report["grad_failures"] = failures

    def curve(jitter):
        """The first losses in float64 from the lab's initial weights, each scaled by (1 + jitter N(0, 1))."""
        model = GPT(m).double()
        model.load_lab(ck, "init/")
        if jitter:
            g = torch.Generator().manual_seed(0)
            with torch.no_grad():
                for p in model.parameters():
                    p.mul_(1 + jitter * torch.randn(p.shape, generator=g, dtype=p.dtype))
        model.train()
        opt = optimiser(model, t)
        return torch.stack([train_step(model, opt, inputs[s], targets[s], s, t) for s in range(len(lab_losses))])

    ours = curve(0.0)
    rel = ((ours - lab_losses).abs() / lab_losses).tolist()
    # How far float64 itself moves when the initial weights move by f32's rounding (1e-7): a run whose
    # curve is that sensitive (re-weighting near uniform rows is discontinuous) cannot match f32 to 1e-3,
    # so its limit is 10x that motion, and the report says so.
    sensitivity = ((curve(1e-7) - ours).abs() / ours).max().item()
    report["curve_worst"] = max(rel)
    report["curve_sensitivity"] = sensitivity
    report["curve_limit"] = max(1e-3, 10 * sensitivity)
    report["curve"] = [[s + 1, lab_losses[s].item(), ours[s].item()] for s in range(len(rel))]
    report["ok"] = (
        not failures
        and report["curve_worst"] <= report["curve_limit"]
        and all(v for k, v in report.items() if k.endswith("_match"))
    )
    for k in ("batches_match", "windows_match", "stream_match"):
        if k in report:
            print(f"{k.replace('_', ' ')}: {report[k]}")
    print(f"gradients at init: worst max|torch - lab| / max|lab| over tensors {grad_worst:.2e}", end="")
    print(f"; outside the lab's tolerance: {', '.join(failures) or 'none'}")
    print(f"first {len(rel)} training losses: worst relative difference {report['curve_worst']:.2e} "
          f"(limit {report['curve_limit']:.0e}; float64 moves {sensitivity:.1e} when the init moves 1e-7)")
    print(f"check: {'ok' if report['ok'] else 'FAILED'}")
    return report["ok"], report


def train(cfg, train_docs, val, windows, args):
    """Trains with the lab's batches (its sampler, ported), on one device or many (torchrun)."""
    if train_docs is None:
        raise SystemExit("this folder holds no training text (the lab left it out); see README.md")
    t = dict(cfg["train"], steps=args.steps or cfg["train"]["steps"])
    ddp = "WORLD_SIZE" in os.environ
    rank, world = 0, 1
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if ddp:
        import torch.distributed as dist
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
            torch.cuda.set_device(device)
        if t["batchSize"] % world:
            raise SystemExit(f"batch {t['batchSize']} does not split over {world} processes")
    model = GPT(cfg["model"])
    if args.init == "fresh":
        model.init_fresh(torch.Generator().manual_seed(cfg["model"]["seed"]))
    else:
        source = here("weights.safetensors") if args.init == "trained" else here("check.safetensors")
        model.load_lab(load_safetensors(source), "" if args.init == "trained" else "init/")
    model.to(device)
    net = model
    if ddp:
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    opt = optimiser(model, t)
    rng = LabRng(t["seed"])  # every process draws the global batch and takes its rows: the lab's batches
    t0 = time.time()
    model.train()
    for step in range(t["steps"]):
        inp, tgt = train_batch(train_docs, t["batchSize"], t["seqLen"], rng)
        loss = train_step(net, opt, inp[rank::world].to(device), tgt[rank::world].to(device), step, t)
        if (step + 1) % t["logEvery"] == 0 or step == t["steps"] - 1:
            if ddp:
                dist.all_reduce(loss)
                loss /= world
            if rank == 0:
                print(f"step {step + 1:>6}  loss {loss.item():.4f}  lr {learning_rate(step, t):.2e}  "
                      f"{time.time() - t0:.0f} s", flush=True)
    if rank == 0:
        for f in cfg["eval"]["factors"]:
            L = f * t["seqLen"]
            print(f"validation loss at {f}x (L = {L}): {evaluate(model, val, windows, L):.4f}")
        save_safetensors(args.out, {k: v.float() for k, v in model.lab_state().items()})
        print(f"wrote {args.out}")
    if ddp:
        dist.destroy_process_group()


def main():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--verify", action="store_true", help="check the lab's validation losses (exit 0 only if equal)")
    a.add_argument("--check", action="store_true", help="check gradients at init and the first losses")
    a.add_argument("--json", action="store_true", help="with --check or --verify: print the figures as JSON too")
    a.add_argument("--steps", type=int, help="training steps (default: the lab's)")
    a.add_argument("--device", help="cpu, cuda, cuda:1, mps (default: cuda when there is one)")
    a.add_argument("--init", choices=["lab", "trained", "fresh"], default="lab",
                   help="start from the lab's initial weights, its trained weights, or a fresh draw")
    a.add_argument("--out", default=here("trained-torch.safetensors"), help="where the trained weights go")
    args = a.parse_args()
    cfg, train_docs, val, windows = load()
    if args.verify or args.check:
        ok, figures = True, {}
        if args.verify:
            v_ok, figures["verify_worst"] = verify(cfg, val, windows)
            ok = ok and v_ok
        if args.check:
            c_ok, figures["check"] = check(cfg, train_docs, val, windows)
            ok = ok and c_ok
        if args.json:
            print(json.dumps(figures))
        sys.exit(0 if ok else 1)
    train(cfg, train_docs, val, windows, args)


if __name__ == "__main__":
    main()
`;
