"""tables.ipynb end to end: the paper preset (224x224, released head, paper hyperparameters) for one epoch on the
fixture copy of SAMM, through papermill, face cropping, LOSO training, the results store and the written tables."""
import json
from pathlib import Path
import pandas as pd
import papermill as pm

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / 'tests' / 'fixtures'


def test_paper_preset_one_epoch_on_fixture_samm(tmp_path):
    out = tmp_path / 'tables'
    params = dict(preset='paper', epochs=1, datasets='samm', data_root=str(FIX), cache_root=str(tmp_path / 'cache'),
                  store=str(tmp_path / 'store'), out=str(out), tables='facesleuth_t1,facesleuth_t5')
    pm.execute_notebook(str(ROOT / 'nbs' / 'tables.ipynb'), str(tmp_path / 'tables_run.ipynb'), parameters=params,
                        cwd=str(ROOT), progress_bar=False, kernel_name='python3')
    t5 = pd.read_csv(out / 'facesleuth_t5.csv')
    assert list(t5.row) == ['Without AU', 'With AU']
    assert t5['SAMM reported acc %'].tolist() == [81.20, 86.73]
    assert t5['SAMM ours acc % (last)'].between(0, 100).all() and t5['SAMM ours F1 (oracle, optimistic)'].notna().all()
    md = (out / 'facesleuth_t5.md').read_text()
    assert 'preset paper (facesleuth_cva_no_au, facesleuth_cva) changed (epochs=1)' in md and 'SYNTHETIC' not in md, md
    # the runs really used the paper preset: 224x224 crops, the released head, one epoch, every SAMM fixture subject
    cfgs = [json.loads(p.read_text()) for p in (tmp_path / 'store').glob('*/config.json')]
    assert len(cfgs) == 2 and all(c['resolved']['preset']['img_size'] == 224 and c['resolved']['preset']['head'] == 'released'
                                  and c['resolved']['preset']['epochs'] == 1 for c in cfgs)
    folds = list((tmp_path / 'store').glob('*/fold_*.json'))
    assert len(folds) == 2 * 4                                    # 4 subjects in the SAMM fixture, LOSO
    assert any((tmp_path / 'cache').rglob('*.npy'))               # faces were cropped into the cache first
    assert (out / 'facesleuth_t1.md').exists() and (out / 'claims.csv').exists()
    # a second execution finds every run in the store and trains nothing
    before = {p: p.stat().st_mtime_ns for p in folds}
    pm.execute_notebook(str(ROOT / 'nbs' / 'tables.ipynb'), str(tmp_path / 'tables_run2.ipynb'), parameters=params,
                        cwd=str(ROOT), progress_bar=False, kernel_name='python3')
    assert {p: p.stat().st_mtime_ns for p in folds} == before
