"Tests of facesleuth.data that fit pytest better: worker processes, the crop cache on the dataset fixtures, SynthME."
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from facesleuth.data import PairDataset, SequenceDataset, make_loader

REPO = Path(__file__).resolve().parents[1]


class TextureStore:
    "Module-level (picklable) stand-in store: 4 frames of a per-clip random texture drifting 1 px per frame."
    def load(self, row):
        base = np.random.default_rng(int(row['y'])).integers(0, 256, (40, 40, 3), dtype=np.uint8)
        fn = np.arange(row['onset'], row['offset'] + 1)
        return np.stack([np.roll(base, k, axis=1) for k in range(len(fn))]), fn


def table(n=10):
    return pd.DataFrame(dict(dataset='toy', subject=[str(i % 3) for i in range(n)], clip=[f'c{i}' for i in range(n)],
                             onset=0, apex=2, offset=3, frames=[()] * n, y=list(range(n)), au=[(0,) * 21] * n))


def batches(loader, n_epochs=2):
    return [[tuple(t.clone() for t in b) for b in loader] for _ in range(n_epochs)]


def test_same_batches_with_or_without_workers():
    "The draws depend on (seed, epoch, sample) only, so worker processes change nothing."
    ds = PairDataset(table(), TextureStore(), train=True, seed=4)
    a = batches(make_loader(ds, batch_size=3, shuffle=True, seed=9, num_workers=0))
    b = batches(make_loader(PairDataset(table(), TextureStore(), train=True, seed=4), batch_size=3, shuffle=True, seed=9,
                            num_workers=2))
    for ea, eb in zip(a, b):
        assert len(ea) == len(eb) == 4
        for x, y in zip(ea, eb): assert all(torch.equal(u, v) for u, v in zip(x, y))
    assert not all(torch.equal(x[0], y[0]) for x, y in zip(a[0], a[1]))       # the two epochs differ


def test_loader_refuses_persistent_workers():
    with pytest.raises(ValueError, match='persistent_workers'):
        make_loader(PairDataset(table(), TextureStore(), train=True), num_workers=1, persistent_workers=True)


def test_pair_and_sequence_on_the_casme2_fixture_cache(tmp_path):
    datasets = pytest.importorskip('facesleuth.datasets')
    from facesleuth.preprocess import CropCache, prepare_table
    root = REPO/'tests/fixtures/casme2'
    if not root.is_dir(): pytest.skip('no CASME II fixture')
    d = datasets.load_dataset('casme2', root)
    rep = prepare_table(d.table, tmp_path, size=32, frames='all', detector='center', progress=False, verbose=False)
    assert set(rep['status']) == {'written'}
    cache = CropCache(tmp_path, 'casme2', 32)
    on, ap, au, y = PairDataset(d.table, cache, train=True, seed=1)[0]
    assert on.shape == ap.shape == (3, 32, 32) and au.shape == (21,) and y.dtype == torch.long
    x, au, y = SequenceDataset(d.table, cache, n_frames=4)[1]
    assert x.shape == (4, 3, 32, 32)
    b = next(iter(make_loader(PairDataset(d.table, cache, train=False), batch_size=4)))
    assert b[0].shape == (4, 3, 32, 32) and torch.equal(b[2], torch.tensor(np.stack(d.table['au'].iloc[:4]), dtype=torch.float32))


def test_pair_dataset_on_synthme():
    synthme = pytest.importorskip('facesleuth.synthme')
    s = synthme.load_synthme(preset='smoke')
    frames, fn = s.load(s.table.iloc[0])
    assert frames.dtype == np.uint8 and frames.ndim == 4 and len(frames) == len(fn)
    sub = s.table.iloc[:6]
    ds = PairDataset(sub, s, train=True, size=48, seed=0)
    on, ap, au, y = ds[2]
    assert on.shape == (3, 48, 48) and au.shape == (21,) and int(y) == int(sub.iloc[2]['y'])
    a = batches(make_loader(ds, batch_size=3, shuffle=True, seed=1), 1)
    b = batches(make_loader(PairDataset(sub, s, train=True, size=48, seed=0), batch_size=3, shuffle=True, seed=1), 1)
    assert all(torch.equal(u, v) for x, y in zip(a[0], b[0]) for u, v in zip(x, y))
    # the test split sees the annotated onset and apex frames exactly (no jitter, no augmentation)
    from facesleuth.data import normalize, to_tensor, nearest_index
    t_on, t_ap, _, _ = PairDataset(sub, s, train=False)[0]
    f0, n0 = s.load(sub.iloc[0])
    on_n, ap_n = int(sub.iloc[0]['onset']), int(sub.iloc[0]['apex'])
    assert PairDataset(sub, s, train=False).frame_numbers(0) == (on_n, ap_n)
    assert torch.equal(t_on, normalize(to_tensor(f0[nearest_index(n0, on_n)])))
    assert torch.equal(t_ap, normalize(to_tensor(f0[nearest_index(n0, ap_n)])))
