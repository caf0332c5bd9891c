"""Move runs of a results store to the keys of the current code, where that is provably the same configuration.

    python scripts/rekey_store.py --store runs/store --since 2026-12-02T03:25   # dry run: lists what would move
    python scripts/rekey_store.py --store runs/store --since 2026-12-02T03:25 --apply

For developers, after a change that adds fields to the run key without changing any number (e.g. the model
fingerprint and the library version, issue 11). A run is moved only if (1) everything its old key hashed
(`resolved` in its config.json) equals what the current code resolves for the same configuration, apart from
the fields the key gained, and (2) every one of its fold files was written after `--since`, the time from which
the code that produced numbers is the current one (the person running this vouches for that: check
`git log --since` for changes to the model, training and data code). Everything else stays where it is and is
never reused: its configuration now hashes to another key.
"""
import argparse, json, os, sys, datetime
from pathlib import Path


def as_config(d):
    from facesleuth.runner import RunConfig
    pairs = ('model_kwargs', 'preset_overrides', 'synthme_overrides')
    return RunConfig(**{k: (tuple(tuple(x) for x in v) if k in pairs else v) for k, v in d.items()})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--store', default='runs/store')
    ap.add_argument('--since', required=True, help='ISO time (UTC) from which the numerical code is the current one')
    ap.add_argument('--apply', action='store_true', help='move the runs (default: only list them)')
    a = ap.parse_args()
    since = datetime.datetime.fromisoformat(a.since).replace(tzinfo=datetime.timezone.utc).timestamp()
    from facesleuth.runner import Run
    new_fields = ('model_fingerprint', 'facesleuth_version')
    moved = kept = 0
    for cj in sorted(Path(a.store).glob('*/config.json')):
        d = cj.parent
        c = json.loads(cj.read_text())
        cfg = as_config(c['config'])
        now = json.loads(json.dumps(cfg.key_dict(), sort_keys=True, default=str))
        old = json.loads(json.dumps(c['resolved'], sort_keys=True, default=str))
        folds = sorted(d.glob('fold_*.json'))
        why = None
        if {k: v for k, v in now.items() if k not in new_fields} != old: why = 'configuration resolves differently now'
        elif not folds: why = 'no finished folds'
        elif min(f.stat().st_mtime for f in folds) < since: why = f'folds written before {a.since}'
        elif cfg.key() == d.name: why = 'already under its current key'
        elif (d.parent / cfg.key()).exists(): why = f'{cfg.key()} exists already'
        if why:
            kept += 1; print(f'keep {d.name} ({cfg.model}, seed {cfg.seed}): {why}'); continue
        print(f"move {d.name} -> {cfg.key()} ({cfg.model}, {cfg.preset}, seed {cfg.seed}, {len(folds)} folds)")
        if a.apply:
            os.rename(d, d.parent / cfg.key())
            Run(cfg, a.store).write_config(c.get('n_folds'))
        moved += 1
    print(f"{moved} run(s) {'moved' if a.apply else 'to move'}, {kept} kept")


if __name__ == '__main__':
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
