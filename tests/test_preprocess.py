"Filesystem and command-line tests of facesleuth.preprocess (the notebook tests the geometry)."
import json, os, shutil, signal, subprocess, sys, textwrap, time
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from facesleuth.core import SAMPLE_COLUMNS
from facesleuth.preprocess import CropCache, draw_face, main, prepare_table

REPO = Path(__file__).resolve().parents[1]
OPTIONS = ['--dataset', '--root', '--out', '--size', '--frames', '--key_pad', '--margin', '--detector', '--no_align',
           '--max_tilt', '--table', '--limit', '--overwrite', '--quiet', '--preset', '--class_protocol']


def cli(*args, cwd=REPO):
    "Run the installed console script (or the same entry point through python when it is not on disk): a few seconds each."
    exe = Path(sys.executable).with_name('facesleuth_prepare')
    cmd = [str(exe)] if exe.exists() else [sys.executable, '-c', 'import sys; from facesleuth.preprocess import main; sys.exit(main())']
    return subprocess.run(cmd + [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300)


def run_main(capsys, **kw):
    "Call the CLI function in-process (fast); returns (exit code, stdout, stderr)."
    try: main(quiet=True, **kw); code = 0
    except SystemExit as e: code, msg = 1, str(e)
    out, err = capsys.readouterr()
    return code, out, err + ('' if code == 0 else msg)


def fake_casme2(root: Path, clips=(('01', 'EP01_01', 20, 23, 25), ('02', 'EP02_02f', 5, 6, 8))):
    "A tiny CASME II-like layout Cropped/subNN/<clip>/reg_img<N>.jpg of cartoon faces moving 1 px right per frame, and its table."
    rows = []
    for sub, clip, on, ap, off in clips:
        d = root/'Cropped'/f'sub{sub}'/clip
        d.mkdir(parents=True)
        paths = []
        for k, n in enumerate(range(on, off + 1)):
            p = d/f'reg_img{n}.jpg'
            cv2.imwrite(str(p), cv2.cvtColor(draw_face(200, tilt=6, shift=(k, 0)), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 98])
            paths.append(str(p))
        rows.append(dict(dataset='casme2', subject=f'sub{sub}', clip=clip, onset=on, apex=ap, offset=off, frames=tuple(paths),
                         label='others', y=4, au=(0,) * 21, au_raw='', source='fake'))
    return pd.DataFrame(rows, columns=list(SAMPLE_COLUMNS))


def test_help_explains_every_option():
    from fastcore.script import anno_parser
    text = anno_parser(main, prog='facesleuth_prepare').format_help()     # what --help prints (the script itself runs below)
    for opt in OPTIONS: assert opt in text, opt
    acts = [a for a in anno_parser(main)._actions if a.dest not in ('help', 'pdb', 'xtra')]
    assert {a.option_strings[0] for a in acts} == set(OPTIONS) and all(len(a.help) > 15 for a in acts)
    assert 'fallback' in text and 'resumes' in text


def test_missing_arguments_are_clear(tmp_path, capsys):
    code, _, err = run_main(capsys, out=str(tmp_path))
    assert code == 1 and '--dataset' in err
    code, _, err = run_main(capsys, dataset='casme2', out=str(tmp_path))
    assert code == 1 and '--root' in err
    code, _, err = run_main(capsys, table=str(tmp_path/'nope.pkl'), out=str(tmp_path))
    assert code == 1 and 'nope.pkl' in err


def test_cli_crops_aligns_and_resumes(tmp_path, capsys):
    table = fake_casme2(tmp_path/'data')
    table.to_pickle(tmp_path/'t.pkl')
    out = tmp_path/'cache'
    r = cli('--table', tmp_path/'t.pkl', '--out', out, '--size', 96, '--frames', 'all', '--quiet')     # the real console script once
    assert r.returncode == 0, r.stderr
    assert '2 written' in r.stdout
    man = pd.read_csv(out/'casme2/96/manifest.csv')
    assert list(man['method']) == ['face+eyes', 'face+eyes'], man
    assert (man['angle'].abs() > 3).all()                           # the 6 degree tilt was levelled
    cache = CropCache(out, 'casme2', 96)
    frames, fn = cache.load(table.iloc[0])
    assert frames.shape == (6, 96, 96, 3) and frames.dtype == np.uint8 and list(fn) == list(range(20, 26))
    # one transform for the whole clip: the face keeps moving between frames after cropping
    assert np.abs(frames[-1].astype(int) - frames[0].astype(int)).mean() > 1
    stamp = (out/'casme2/96/sub01/EP01_01.npy').stat().st_mtime_ns
    args = dict(table=str(tmp_path/'t.pkl'), out=str(out), size=96, frames='all')
    code, so, _ = run_main(capsys, **args)
    assert code == 0 and '0 written, 2 already cached' in so, so
    assert (out/'casme2/96/sub01/EP01_01.npy').stat().st_mtime_ns == stamp
    run = pd.read_csv(out/'casme2/96/last_run.csv')
    assert list(run['status']) == ['cached', 'cached']
    code, so, _ = run_main(capsys, **{**args, 'frames': 'key'})          # every frame serves the key frames
    assert code == 0 and '2 already cached' in so, so
    code, _, err = run_main(capsys, **args, margin=0.3)                   # another crop: refused, with the way out
    assert code == 1 and 'overwrite' in err
    code, _, err = run_main(capsys, **{**args, 'frames': 'key'}, key_pad=0, overwrite=True)
    assert code == 0, err
    assert list(cache.load(table.iloc[0])[1]) == [20, 23, 25]


def test_cli_records_failures_and_goes_on(tmp_path, capsys):
    table = fake_casme2(tmp_path/'data')
    os.remove(table.iloc[0]['frames'][2])
    table.to_pickle(tmp_path/'t.pkl')
    code, _, err = run_main(capsys, table=str(tmp_path/'t.pkl'), out=str(tmp_path/'c'), size=64)
    assert code == 1
    assert 'FAILED casme2/sub01/EP01_01' in err and 'reg_img22.jpg' in err and '1 of 2 clips failed' in err
    run = pd.read_csv(tmp_path/'c/casme2/64/last_run.csv')
    assert list(run['status']) == ['failed', 'written']


def test_cli_with_load_dataset_fixture(tmp_path, capsys):
    pytest.importorskip('facesleuth.datasets')
    root = REPO/'tests/fixtures/casme2'
    if not root.is_dir(): pytest.skip('no CASME II fixture')
    code, so, err = run_main(capsys, dataset='casme2', root=str(root), out=str(tmp_path), size=32, frames='key')
    assert code == 0, err
    man = pd.read_csv(tmp_path/'casme2/32/manifest.csv')
    assert len(man) > 0 and set(man['frames_mode']) == {'key'}
    # fixture frames are tiny: no face, and the fallback is recorded, not silent
    assert 'centre-crop fallback' in so and set(man['method']) <= {'face', 'face+eyes', 'center-fallback'}


SLOW_RUN = textwrap.dedent('''
    import sys, time, numpy as np, pandas as pd
    from facesleuth.preprocess import prepare_table
    class SlowStore:
        def load(self, row):
            time.sleep(0.25)
            fn = np.arange(row['onset'], row['offset'] + 1)
            return np.stack([np.full((120, 120, 3), k, np.uint8) for k in fn]), fn
    t = pd.read_pickle(sys.argv[1])
    prepare_table(t, sys.argv[2], size=64, frames='all', detector='center', store=SlowStore(), progress=False)
''')


def test_killed_run_leaves_no_half_file_and_resumes(tmp_path):
    n = 12
    t = pd.DataFrame(dict(dataset='toy', subject=[f's{i}' for i in range(n)], clip='c', onset=0, apex=5, offset=40,
                          frames=[()] * n, y=0, au=[(0,) * 21] * n))
    t.to_pickle(tmp_path/'t.pkl'); out = tmp_path/'cache'
    (tmp_path/'run.py').write_text(SLOW_RUN)
    p = subprocess.Popen([sys.executable, str(tmp_path/'run.py'), str(tmp_path/'t.pkl'), str(out)], cwd=REPO)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob('toy/64/*/*.npy'))) < 2 and p.poll() is None: time.sleep(0.02)
    p.send_signal(signal.SIGKILL); p.wait()
    done = list(out.glob('toy/64/*/*.npy'))
    assert 2 <= len(done) < n, len(done)
    for f in done:                                   # every .npy in place is complete and has its record
        a = np.load(f); assert a.shape == (41, 64, 64, 3)
        assert len(json.loads(f.with_suffix('.json').read_text())['frame_numbers']) == 41

    class FastStore:
        def load(self, row):
            fn = np.arange(row['onset'], row['offset'] + 1)
            return np.stack([np.full((120, 120, 3), k, np.uint8) for k in fn]), fn
    rep = prepare_table(t, out, size=64, frames='all', detector='center', store=FastStore(), progress=False, verbose=False)
    assert (rep['status'] == 'cached').sum() == len(done) and (rep['status'] == 'written').sum() == n - len(done)
    assert not list(out.rglob('.*tmp*'))             # a temporary file a kill left behind is removed when its clip is redone
    frames, fn = CropCache(out, 'toy', 64).load(t.iloc[n - 1])
    assert frames.shape == (41, 64, 64, 3) and frames[7].mean() == 7
