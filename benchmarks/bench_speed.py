"""One training step of FaceSleuth, plain vs fast, side by side: the speed-up the presets' switches buy.

    .venv/bin/python benchmarks/bench_speed.py                          # batch 16, 224x224, CVA and SOA, released head
    .venv/bin/python benchmarks/bench_speed.py --size 64 --head compact # the cpu preset's step
    .venv/bin/python benchmarks/bench_speed.py --device cuda            # AMP, cudnn benchmark; samples/s, peak memory

Both columns train the same model (same weights, same input, forward + backward + AdamW) in one process,
their steps interleaved so that a busy machine slows both alike:

- plain: the step as the authors' released code takes it - fp32, contiguous tensors, the Swin's unfused
  attention, and the FPF run on the onset batch and then on the apex batch;
- fast: the step as `train_fold` takes it under a preset with `cpu_amp=True, channels_last=True` (bf16
  autocast on a CPU with native bf16, fp16 AMP on CUDA, fused attention, onset and apex through the FPF as
  one batch), resolved by the library's own `train.precision` and `train.prepare_model`.

Prints the median seconds per step, the ratio, samples/s, peak memory, and a projection of the paper
preset's CASME II-sized LOSO (26 folds x 75 epochs, 255 clips; `--project`). A benchmark, not a test: the
numbers depend on the machine and on what else runs on it.
"""
import argparse, copy, math, resource, statistics, time, types
import torch
from facesleuth.core import seed_everything, pick_device
from facesleuth.model import create_model
from facesleuth.presets import get_preset
from facesleuth.train import precision, prepare_model, memory_format, Precision, bf16_cpu_supported


def plain_fpf(model):
    "Make the model's FPF encode onset and apex in two calls, as the released code does (same weights, same numbers)."
    fpf = getattr(model, 'fpf', None)
    if fpf is None: return model
    def forward(self, onset, apex=None): return self.encode(onset) + self.encode(apex)
    fpf.forward = types.MethodType(forward, fpf)
    return model


def make_inputs(batch, size, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    on = torch.randn(batch, 3, size, size, generator=g)
    ap = on + 0.05 * torch.randn(batch, 3, size, size, generator=g)
    au = (torch.rand(batch, 21, generator=g) > 0.8).float()
    y = torch.randint(0, 5, (batch,), generator=g)
    return dict(onset=on.to(device), apex=ap.to(device), au=au.to(device)), y.to(device)


class Stepper:
    "One model with its optimizer, stepping under a precision and memory format."
    def __init__(self, model, preset, device, prec):
        self.model = prepare_model(model, preset, device, prec).train()
        self.preset, self.device, self.prec = preset, device, prec
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=8e-4, weight_decay=0.6)
        self.scaler = torch.amp.GradScaler('cuda', enabled=prec.scale)

    def step(self, batch, y):
        self.opt.zero_grad(set_to_none=True)
        with self.prec.autocast(self.device):
            loss = torch.nn.functional.cross_entropy(self.model(**memory_format(batch, self.preset)).float(), y)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.opt); self.scaler.update()
        return loss.item()


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


def bench_model(name, a, device):
    seed_everything(0)
    base = create_model(name, img_size=a.size, num_classes=5, head=a.head)
    plain_pre = get_preset('paper', img_size=a.size, head=a.head)
    fast_pre = get_preset('paper', img_size=a.size, head=a.head, cpu_amp=True, channels_last=True)
    plain = Stepper(plain_fpf(copy.deepcopy(base)), plain_pre, device, Precision())
    fast = Stepper(copy.deepcopy(base), fast_pre, device, precision(fast_pre, device))
    batch, y = make_inputs(a.batch, a.size, device)
    times = {'plain': [], 'fast': []}
    peak = {}
    for i in range(a.repeats + 1):                    # step 0 of each is a warm-up (allocations, cudnn autotuning)
        for tag, s in (('plain', plain), ('fast', fast)):
            if device.type == 'cuda': torch.cuda.reset_peak_memory_stats()
            sync(device); t0 = time.perf_counter()
            s.step(batch, y)
            sync(device)
            if i: times[tag].append(time.perf_counter() - t0)
            if device.type == 'cuda': peak[tag] = max(peak.get(tag, 0), torch.cuda.max_memory_allocated() / 2**30)
    return {k: statistics.median(v) for k, v in times.items()}, peak, fast.prec


def project(step_s, a, eval_factor=1 / 3):
    "Seconds for a LOSO of `folds` x `epochs` on `clips` clips at this step time (evaluation ~1/3 of a training step per sample)."
    train_clips = a.clips * (a.folds - 1) / a.folds
    steps = math.ceil(train_clips / a.batch) * a.epochs * a.folds
    evals = math.ceil(a.clips / a.folds / a.batch) * a.epochs * a.folds
    return step_s * (steps + eval_factor * evals)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--models', default='facesleuth_cva,facesleuth_soa_independent')
    p.add_argument('--head', default='released')
    p.add_argument('--size', type=int, default=224)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--device', default=None, help='cpu or cuda (default: cuda if present)')
    p.add_argument('--threads', type=int, default=None, help='CPU threads (default: torch default)')
    p.add_argument('--project', action='store_true', help='project the paper preset LOSO wall time from the fast step')
    p.add_argument('--folds', type=int, default=26); p.add_argument('--epochs', type=int, default=75)
    p.add_argument('--clips', type=int, default=255)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    device = pick_device(a.device)
    if device.type == 'cuda': torch.backends.cudnn.benchmark = True
    hw = (torch.cuda.get_device_name(device) if device.type == 'cuda'
          else f"CPU {torch.backends.cpu.get_cpu_capability()}, native bf16: {bf16_cpu_supported()}")
    print(f"torch {torch.__version__}; {hw}; {torch.get_num_threads()} threads; batch {a.batch}, {a.size}x{a.size}, head {a.head}; "
          f"median of {a.repeats} steps after a warm-up, plain and fast interleaved")
    rows = []
    for name in a.models.split(','):
        t, peak, prec = bench_model(name, a, device)
        rows.append((name, t['plain'], t['fast'], prec, peak))
    mem = 'peak GiB plain/fast' if device.type == 'cuda' else ''
    print(f"| model | plain s/step | fast s/step | speed-up | fast samples/s | fast precision | {mem} |")
    print("|---|---:|---:|---:|---:|---|---|")
    for name, tp, tf, prec, peak in rows:
        pk = f"{peak['plain']:.1f} / {peak['fast']:.1f}" if peak else ''
        print(f"| {name} | {tp:.3f} | {tf:.3f} | {tp / tf:.2f}x | {a.batch / tf:.1f} | {str(prec.dtype).replace('torch.', '')} | {pk} |")
    if device.type == 'cpu':
        print(f"peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if a.project:
        for name, tp, tf, *_ in rows:
            print(f"projected LOSO ({a.folds} folds x {a.epochs} epochs, {a.clips} clips, batch {a.batch}) for {name}: "
                  f"plain {project(tp, a) / 60:.1f} min, fast {project(tf, a) / 60:.1f} min")


if __name__ == '__main__':
    main()
