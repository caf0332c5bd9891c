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
