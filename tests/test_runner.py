"""The facesleuth_run command line: help, clear errors, and resumption after a kill."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent / 'facesleuth_run'
TINY = ['--dataset', 'synthme', '--protocol', 'loso', '--preset', 'smoke', '--seed', '0', '--quiet',
        '--override', 'img_size=32,epochs=2,batch_size=8', '--synthme', 'n_subjects=5,clips_per_subject=5,size=32']


def cli(*args, **kw):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=600, **kw)


def test_help_explains_every_option():
    r = cli('--help')
    assert r.returncode == 0
    for opt in ('--model', '--dataset', '--protocol', '--preset', '--seed', '--out', '--selection', '--store',
                '--data_root', '--inner', '--override', '--synthme', '--epochs', '--device'):
        assert opt in r.stdout, opt


@pytest.mark.parametrize('args, words', [
    (['--model', 'nope'], ['unknown --model', 'facesleuth_cva']),
    (['--preset', 'fast'], ['unknown --preset', 'smoke']),
    (['--protocol', 'loo'], ['unknown --protocol', 'loso']),
    (['--selection', 'best'], ['unknown --selection', 'oracle']),
    (['--selection', 'inner'], ['--inner']),
    (['--dataset', 'casme2'], ['--data_root']),
    (['--epochs', '0'], ['--epochs']),
    (['--override', 'nonsense=1'], ['nonsense']),
    (['--seed', 'abc'], ['seed']),
    (['--bogus'], ['unrecognized']),
])
def test_bad_options_exit_nonzero_with_a_clear_message(args, words, tmp_path):
    r = cli(*args, '--out', str(tmp_path))
    assert r.returncode != 0
    for w in words: assert w in r.stderr, (w, r.stderr)


def test_killed_run_resumes_to_the_same_numbers(tmp_path):
    ref = cli('--model', 'facesleuth_cva_only', *TINY, '--out', str(tmp_path / 'ref'))
    assert ref.returncode == 0, ref.stderr
    out = tmp_path / 'killed'
    p = subprocess.Popen([str(BIN), '--model', 'facesleuth_cva_only', *TINY, '--out', str(out)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 300:
        if list(out.glob('store/*/fold_000.json')): break
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL); p.wait()
    done = list(out.glob('store/*/fold_*.json'))
    assert 1 <= len(done) < 5, "the kill should land mid-run"
    assert not (out / 'summary.json').exists()
    for f in done: json.loads(f.read_text())          # every finished fold file is whole (atomic writes)
    r = cli('--model', 'facesleuth_cva_only', *TINY, '--out', str(out))
    assert r.returncode == 0, r.stderr
    a = json.loads((tmp_path / 'ref' / 'summary.json').read_text()); b = json.loads((out / 'summary.json').read_text())
    for k in ('acc', 'f1', 'uf1', 'uar', 'n_samples', 'n_folds', 'other_selections'):
        assert a[k] == b[k], k
    assert (tmp_path / 'ref' / 'predictions.csv').read_text() == (out / 'predictions.csv').read_text()


def test_real_dataset_run_reports_what_the_adapter_excluded(tmp_path):
    "facesleuth_run on the CASME II fixture prints the adapter's summary, writes report.csv and puts the counts in summary.json."
    prep = Path(sys.executable).parent / 'facesleuth_prepare'
    fix = Path(__file__).resolve().parent / 'fixtures' / 'casme2'
    cache = tmp_path / 'cache'
    r = subprocess.run([str(prep), '--dataset', 'casme2', '--root', str(fix), '--out', str(cache), '--size', '32',
                        '--detector', 'center', '--quiet'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = tmp_path / 'out'
    r = cli('--model', 'resnet18_baseline', '--dataset', 'casme2', '--data_root', str(fix), '--cache_root', str(cache),
            '--preset', 'smoke', '--epochs', '1', '--quiet', '--out', str(out))
    assert r.returncode == 0, r.stderr
    s = json.loads((out / 'summary.json').read_text())
    rep = s['data_report']
    assert s['class_protocol'] == rep['protocol'] == 'casme2_5' and rep['n_samples'] == s['n_samples']
    assert rep['excluded'] >= 1 and rep['corrected'] >= 1                           # the fixture has both
    assert f"{rep['n_samples']} samples" in r.stdout and f"{rep['excluded']} excluded" in r.stdout, r.stdout
    import pandas as pd
    report = pd.read_csv(out / 'report.csv')
    assert {'file', 'row', 'field', 'reason', 'action'} <= set(report.columns)
    assert (report.action == 'excluded').sum() == rep['excluded'] and (report.action == 'corrected').sum() == rep['corrected']
