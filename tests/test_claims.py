"""The claims ledger gives, for fixed inputs, exactly the rows it gave before the claims became data (issue 15).

`tests/fixtures/claims_ledger.csv` holds the ledger of every case below as produced by the claims-as-code
`claims_ledger` (commit f0c097e); `python tests/test_claims.py --capture` rewrites it (only on purpose)."""
import sys
from pathlib import Path
import numpy as np, pandas as pd

FIX = Path(__file__).resolve().parent / 'fixtures' / 'claims_ledger.csv'
COLS = ['id', 'source', 'claim', 'paper', 'measured', 'data', 'verdict', 'note']


def _params():          # the columns of params_table() the ledger reads (counts as our 05_model gives them)
    return pd.DataFrame({'model': ['facesleuth_cva', 'facesleuth_soa_shared', 'facesleuth_soa_independent', 'facesleuth_soa_frozen0'],
                         'ours params (M), released head': [73.62, 73.61, 73.60, 73.61],
                         'ours params (M), compact head': [29.1, 29.1, 29.09, 29.1],
                         'ours added vs CVA, released head': [0, -2304, -9216, -2304]})


def _run(model, dataset='synthme', seed=0, acc=0.5, **kw):
    return dict(model=model, dataset=dataset, seed=seed, complete=True, synthetic=dataset.startswith('synthme'), acc_last=acc, **kw)


def _corr(n1, n=40): return '1' * n1 + '0' * (n - n1)


def cases() -> dict:
    "name -> keyword arguments of claims_ledger: every branch of every claim at least once."
    rng = np.random.RandomState(0)
    out = {'none': {}, 'params': dict(params=_params())}
    out['seeds'] = dict(results=pd.DataFrame([_run(m, seed=s, acc=a + 0.01 * s) for m, a in
                                              (('facesleuth_soa_independent', 0.6), ('facesleuth_soa_frozen0', 0.45)) for s in (0, 1, 2)]))
    one = pd.DataFrame([_run(m, acc=c.count('1') / 40, correct_last=c, chance_acc=0.4)
                        for m, c in (('facesleuth_cva', _corr(30)), ('facesleuth_cva_no_au', _corr(28)))])
    out['mcnemar'] = dict(results=one)
    two = one.copy(); two.loc[1, 'correct_last'] = '0' * 30 + '1' * 10; two.loc[1, 'acc_last'] = 0.25
    out['mcnemar_holds'] = dict(results=two)
    out['no_test'] = dict(results=pd.DataFrame([_run('facesleuth_cva', acc=0.7), _run('facesleuth_horizontal', acc=0.6)]))
    th = pd.DataFrame(dict(model='facesleuth_soa_independent', dataset='synthme', seed=0, fold=0, layer=range(4),
                           theta_rad=[1.53, 1.55, 1.54, 1.545]))
    out['thetas_hold'] = dict(thetas=th)
    out['thetas_fail'] = dict(thetas=th.assign(theta_rad=0.8))
    # a synthetic store: every pair the ledger compares, 2 seeds (paired t-test; one pair with a constant difference),
    # LODO runs for M9, by-sample HSTA runs (X5, X7), theta rows with gradient columns for a learning and a chance model
    models = ['facesleuth_soa_independent', 'facesleuth_soa_frozen0', 'facesleuth_cva', 'resnet18_baseline', 'facesleuth_cva_no_au',
              'facesleuth_horizontal', 'facesleuth_cva_independent', 'facesleuth_cva_vit', 'facesleuth_cva_apex', 'edmdbn',
              'edmdbn_entire', 'edmdbn_detail', 'edmdbn_no_attention', 'edmdbn_concat', 'mmnet']
    rows = []
    for i, m in enumerate(models):
        for s in (0, 1):
            rows.append(_run(m, seed=s, acc=round(0.3 + 0.04 * i + 0.02 * rng.rand(), 4), classes=5, uar_last=0.2 + 0.05 * i,
                             protocol='loso', protocol_label='LOSO', subject_overlap=False, chance_acc=0.3))
    for m, a in (('facesleuth_soa_independent', 0.55), ('facesleuth_soa_no_fpf', 0.45)):
        for s in (0, 1): rows.append(_run(m, 'synthme_lodo', s, a + 0.001 * s, classes=3, uar_last=0.5, protocol='lodo',
                                          protocol_label='LODO', subject_overlap=False, chance_acc=0.4))
    for m, a in (('hsta', 0.5), ('hsta_l1_s0_v0', 0.62), ('hsta_l1_s0_v0_nocsta', 0.40)):
        for s in (0, 1):
            u = 0.4 + 0.1 * rng.rand()
            rows.append(_run(m, seed=s, acc=a + 0.05 * s, classes=7, uar_last=u, protocol='kfold_sample',
                             protocol_label='5-fold by sample (subject overlap)', subject_overlap=True, chance_acc=0.25,
                             uf1_last_fold_mean=u + 0.01, uf1_last_pooled=u, uar_last_fold_mean=u - 0.003, uar_last_pooled=u))
    store = pd.DataFrame(rows)
    store.loc[store.model == 'facesleuth_cva_vit', 'acc_last'] = store.loc[store.model == 'facesleuth_cva', 'acc_last'].values - 0.1
    thg = pd.concat([th.assign(grad_consistency=0.3, grad_chance=0.1),
                     th.assign(model='facesleuth_soa_frozen0', theta_rad=[0.1, 0.2, 3.0, 0.05], grad_consistency=np.nan, grad_chance=np.nan)])
    store.loc[store.model == 'facesleuth_soa_frozen0', 'uar_last'] = 0.2
    out['store_synthetic'] = dict(results=store, params=_params(), thetas=thg)
    real = pd.concat([store, pd.DataFrame([_run('facesleuth_soa_independent', 'casme2', 0, 0.94), _run('facesleuth_soa_independent', 'samm', 0, 0.70),
                                           _run('facesleuth_soa_independent', 'samm', 1, 0.72)])], ignore_index=True)
    real.loc[real.dataset == 'samm', 'complete'] = [True, False]
    hs = real.model.str.startswith('hsta')
    real.loc[hs & (real.seed == 1), 'uf1_last_fold_mean'] += 0.05
    out['store_real'] = dict(results=real, params=_params(), thetas=thg, alpha=0.2)
    return out


def ledgers() -> pd.DataFrame:
    from facesleuth.experiments import claims_ledger
    return pd.concat([claims_ledger(**kw).assign(case=name)[['case'] + COLS] for name, kw in cases().items()], ignore_index=True)


def test_claims_ledger_unchanged():
    got = ledgers()
    want = pd.read_csv(FIX, dtype=str, keep_default_na=False)
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want), (len(got), len(want))
    for c in want.columns:
        bad = got[c].astype(str).values != want[c].values
        assert not bad.any(), (c, got.loc[bad, ['case', 'id', c]].head().to_dict('records'), want.loc[bad, ['case', 'id', c]].head().to_dict('records'))


def test_cases_cover_every_verdict():
    want = pd.read_csv(FIX, dtype=str, keep_default_na=False)
    assert {'holds', 'does not hold', 'mixed', 'not testable here', 'not testable at this preset',
            'inconclusive (not significant)'} <= set(want.verdict)


if __name__ == '__main__' and '--capture' in sys.argv:
    d = ledgers(); d.to_csv(FIX, index=False); print(f'{len(d)} rows -> {FIX}'); print(d.groupby('case').verdict.value_counts().to_string())
