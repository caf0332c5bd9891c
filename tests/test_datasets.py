"Tests of `facesleuth.datasets` on the format fixtures in tests/fixtures (see tests/fixtures/make_fixtures.py)."
import csv, importlib.util, shutil
from pathlib import Path
import numpy as np
import openpyxl
import pandas as pd
import pytest
from facesleuth.core import AU_NAMES, AU_VOCAB, SAMPLE_COLUMNS
from facesleuth.datasets import (AnnotationError, MEData, CLASS_PROTOCOLS, ClassProtocol, REPORT_COLUMNS, get_protocol,
                                 list_protocols, load_dataset, read_sheet)

FIX = Path(__file__).parent / 'fixtures'
CASME = 'CASME2-coding-20190701.xlsx'
SAMM = 'SAMM_Micro_FACS_Codes_v2.xlsx'
MMEW = 'MMEW_Micro_Exp.xlsx'
SMIC = 'SMIC-HS-E_annotation_orig.xlsx'
ROOTS = {k: FIX / k for k in ('casme2', 'samm', 'smic_hs')}


def aus(v): return {AU_NAMES[i] for i, x in enumerate(v) if x}
def by_clip(d): return d.table.set_index('clip')
def entries(d, **kw):
    r = d.report
    for k, v in kw.items(): r = r[r[k] == v]
    return r


def copy(name, tmp_path):
    dst = tmp_path / name
    shutil.copytree(FIX / name, dst)
    return dst


def edit(path, sheet, changes):
    "Set cells {(row, col): value} (1-based) of `sheet` in the .xlsx `path`."
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for (r, c), v in changes.items(): ws.cell(row=r, column=c).value = v
    wb.save(path)


def insert_row(path, sheet, at, values):
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    ws.insert_rows(at)
    for c, v in enumerate(values, start=1): ws.cell(row=at, column=c, value=v)
    wb.save(path)


def row_values(path, sheet, r):
    wb = openpyxl.load_workbook(path)
    return [c.value for c in wb[sheet][r]]

# ------------------------------------------------------------------------------------------ common contract

@pytest.mark.parametrize('name', ['casme2', 'samm', 'mmew', 'smic_hs', 'megc2019'])
def test_common_table(name):
    d = load_dataset(name, FIX / name, roots=ROOTS) if name == 'megc2019' else load_dataset(name, FIX / name)
    assert isinstance(d, MEData) and d.name == name and d.protocol == CLASS_PROTOCOLS[d.protocol].name
    t = d.table
    assert tuple(t.columns) == SAMPLE_COLUMNS and len(t) > 0
    assert list(d.report.columns) == list(REPORT_COLUMNS)
    for r in t.itertuples():
        assert isinstance(r.subject, str) and isinstance(r.clip, str)
        assert r.onset <= r.apex <= r.offset
        assert d.classes[r.y] == r.label
        assert isinstance(r.au, tuple) and len(r.au) == len(AU_VOCAB) and set(r.au) <= {0, 1}
        assert all(type(x) is int for x in r.au)
        assert isinstance(r.frames, tuple) and all(Path(p).is_file() for p in r.frames)
        nums = [int(''.join(ch for ch in Path(p).stem.split('_')[-1] if ch.isdigit())) for p in r.frames]
        assert nums == sorted(nums) and nums[0] == r.onset and r.apex in nums
        assert ':row ' in r.source or r.source.endswith(':folder')
    assert t.onset.dtype == np.int64 and t.y.dtype == np.int64
    assert not t.duplicated(['dataset', 'subject', 'clip']).any()

# ------------------------------------------------------------------------------------------ CASME II

def test_casme2_rows():
    d = load_dataset('casme2', FIX / 'casme2')
    assert d.protocol == 'casme2_5' and d.classes == ('happiness', 'repression', 'disgust', 'surprise', 'others')
    t = d.table.set_index(['subject', 'clip'])
    assert len(t) == 11 and t.index.get_level_values(0).nunique() == 9
    r = t.loc[('sub01', 'EP02_01f')]
    assert (r.onset, r.apex, r.offset, r.label, r.y, r.au_raw) == (46, 48, 51, 'happiness', 0, '12')
    assert [Path(p).relative_to(FIX / 'casme2').as_posix() for p in r.frames] == \
        [f'Cropped/sub01/EP02_01f/reg_img{n}.jpg' for n in range(46, 52)]
    assert r.source == f'{CASME}:row 2'
    assert aus(t.loc[('sub01', 'EP19_05f')].au) == {'AU04', 'AU10'}               # 4+L10
    assert aus(t.loc[('sub03', 'EP01_2')].au) == {'AU01', 'AU02'}                 # R1+R2
    assert aus(t.loc[('sub07', 'EP06_02_01')].au) == {'AU02', 'AU26'}             # L2+26+38
    assert aus(t.loc[('sub05', 'EP09_05f')].au) == {'AU04'} and t.loc[('sub05', 'EP09_05f')].au_raw == '4'
    assert t.loc[('sub05', 'EP09_05f')].apex == 50                                # apex = onset is kept
    assert t.loc[('sub04', 'EP12_01f')].apex == 33                                # '/' -> middle frame
    assert t.loc[('sub04', 'EP12_01f')].source == f'{CASME}:row 5'
    assert t.loc[('sub16', 'EP01_08')].label == 'repression' and t.loc[('sub16', 'EP01_08')].y == 1


def test_casme2_report():
    d = load_dataset('casme2', FIX / 'casme2')
    e = entries(d, row=5).iloc[0]
    assert (e.file, e.field, e.value, e.action) == (CASME, 'ApexFrame', '/', 'corrected') and 'middle frame 33' in e.reason
    e = entries(d, row=10).iloc[0]
    assert (e.field, e.value, e.action) == ('Estimated Emotion', 'fear', 'excluded') and 'casme2_5' in e.reason
    e = entries(d, row=11).iloc[0]
    assert (e.field, e.action) == ('frames', 'kept') and '95' in e.reason
    e = entries(d, action='ignored').iloc[0]
    assert e.value == 'Cropped/sub09/EP02_02f' and 'no annotation row' in e.reason
    assert entries(d, row=8).iloc[0].reason.endswith('AU38')
    assert set(entries(d, action='subject absent').value) == {'sub10'}


def test_casme2_2014_file():
    d = load_dataset('casme2', FIX / 'casme2', annotation='CASME2-coding-20140508.xlsx')
    t = d.table.set_index(['subject', 'clip'])
    assert len(t) == 10 and ('sub24', 'EP07_01') not in t.index                   # sadness in 2014
    r = t.loc[('sub05', 'EP13_04f')]
    assert r.au_raw == '?' and sum(r.au) == 0                                     # unknown AU: kept, all zeros
    e = entries(d, field='Action Units', value='?').iloc[0]
    assert e.row == 7 and e.action == 'kept' and 'all 0' in e.reason
    d2 = load_dataset('casme2', FIX / 'casme2', annotation='CASME2-coding-20140508.xlsx', bad_au='exclude')
    assert ('sub05', 'EP13_04f') not in set(zip(d2.table.subject, d2.table['clip']))
    assert entries(d2, field='Action Units', action='excluded').row.tolist() == [7]
    with pytest.raises(AnnotationError, match=r"CASME2-coding-20140508.xlsx:row 5.*ApexFrame"):
        load_dataset('casme2', FIX / 'casme2', annotation='CASME2-coding-20140508.xlsx', strict=True)


@pytest.mark.parametrize('protocol,n,counts', [
    ('casme2_7', 12, dict(happiness=3, repression=2, disgust=3, surprise=2, others=1, fear=1, sadness=0)),
    ('casme2_3_megc', 10, dict(negative=5, positive=3, surprise=2)),
    ('casme2_3_mmnet', 11, dict(negative=6, positive=3, surprise=2)),
])
def test_casme2_protocols(protocol, n, counts):
    d = load_dataset('casme2', FIX / 'casme2', protocol)
    assert len(d.table) == n and d.counts().to_dict() == counts
    assert d.classes == CLASS_PROTOCOLS[protocol].classes


def test_casme2_three_class_subject_absent():
    d = load_dataset('casme2', FIX / 'casme2', 'casme2_3_megc')
    assert set(entries(d, action='subject absent').value) == {'sub10', 'sub18'}   # sub18 has only 'others'

# ------------------------------------------------------------------------------------------ SAMM

def test_samm_rows():
    d = load_dataset('samm', FIX / 'samm')
    assert d.classes == ('happiness', 'anger', 'contempt', 'surprise', 'other') and len(d.table) == 6
    t = by_clip(d)
    r = t.loc['006_1_2']
    assert (r.subject, r.onset, r.apex, r.offset, r.label, r.y) == ('006', 5562, 5564, 5567, 'contempt', 2)
    assert r.au_raw == '12+15 ' and aus(r.au) == {'AU12', 'AU15'}                 # trailing space kept in au_raw
    assert Path(r.frames[0]).relative_to(FIX / 'samm').as_posix() == 'SAMM/006/006_1_2/006_05562.jpg'
    assert Path(t.loc['007_6_1'].frames[-1]).name == '007_3581.jpg'              # 4-digit padding
    assert r.source == f'{SAMM}:row 15'                                          # header on row 14
    assert aus(t.loc['006_1_3'].au) == {'AU04'} and t.loc['006_1_3'].au_raw == '4'
    assert t.loc['016_7_4'].label == 'other'
    assert t.loc['028_4_1'].apex == 1073
    e = entries(d, field='Apex Frame').iloc[0]
    assert (e.row, e.value, e.action) == (22, '1143', 'corrected') and 'outside' in e.reason
    assert set(entries(d, action='subject absent').value) == {'009', '024', '036'}


def test_samm_protocols_and_options():
    assert len(load_dataset('samm', FIX / 'samm', 'samm_8').table) == 9
    d = load_dataset('samm', FIX / 'samm', 'samm_3_megc')
    assert d.counts().to_dict() == dict(negative=6, positive=1, surprise=1)
    d = load_dataset('samm', FIX / 'samm', bad_apex='exclude')
    assert '028_4_1' not in set(d.table['clip'])
    assert entries(d, field='Apex Frame').action.tolist() == ['excluded']
    with pytest.raises(AnnotationError, match=r"SAMM_Micro_FACS_Codes_v2.xlsx:row 22, field 'Apex Frame', value 1143"):
        load_dataset('samm', FIX / 'samm', strict=True)


def test_samm_without_preamble_and_others_spelling(tmp_path):
    root = copy('samm', tmp_path)
    wb = openpyxl.load_workbook(root / SAMM)
    ws = wb['MICRO_ONLY']
    ws.delete_rows(1, 13)                                                        # a copy with the preamble removed
    ws.cell(row=7, column=10, value='Others')                                   # 016_7_4: variant spelling
    wb.save(root / SAMM)
    d = load_dataset('samm', root)
    assert len(d.table) == 6 and by_clip(d).loc['006_1_2'].source == f'{SAMM}:row 2'
    assert by_clip(d).loc['016_7_4'].label == 'other'

# ------------------------------------------------------------------------------------------ MMEW

def test_mmew_rows_and_protocols():
    d = load_dataset('mmew', FIX / 'mmew')
    assert d.protocol == 'mmew_4' and d.classes == ('happiness', 'surprise', 'disgust', 'others')
    t = by_clip(d)
    assert len(t) == 5 and t.loc['S04-02-002'].subject == 'S04'
    r = t.loc['S06-01-001']
    assert (r.onset, r.apex, r.offset, r.label, r.y) == (1, 6, 15, 'happiness', 0) and aus(r.au) == {'AU12'}
    assert [Path(p).relative_to(FIX / 'mmew').as_posix() for p in r.frames][:2] == \
        ['Micro_Expression/happiness/S06-01-001/1.jpg', 'Micro_Expression/happiness/S06-01-001/2.jpg']
    assert len(r.frames) == 15
    o = t.loc['S03-04-001']
    assert o.label == 'others' and Path(o.frames[0]).parent.parent.name == 'repression' and aus(o.au) == {'AU04', 'AU07'}
    assert aus(t.loc['S13-02-003'].au) == {'AU26'}                                # 26+38
    counts = {p: len(load_dataset('mmew', FIX / 'mmew', p).table) for p in ('mmew_3', 'mmew_5', 'mmew_6', 'mmew_7')}
    assert counts == dict(mmew_3=7, mmew_5=6, mmew_6=7, mmew_7=8)
    f = by_clip(load_dataset('mmew', FIX / 'mmew', 'mmew_7')).loc['S06-05-002']
    assert aus(f.au) == {'AU20'} and f.au_raw == '20L'                            # side after the number


def test_mmew_strict_passes_on_clean_data():
    d = load_dataset('mmew', FIX / 'mmew', strict=True)                          # only notes, no data errors
    assert len(d.table) == 5 and set(d.report.action) <= {'excluded', 'kept', 'subject absent'}

# ------------------------------------------------------------------------------------------ SMIC-HS

def test_smic_rows():
    d = load_dataset('smic_hs', FIX / 'smic_hs')
    assert d.classes == ('negative', 'positive', 'surprise')
    t = by_clip(d)
    assert len(t) == 7 and set(t.subject) == {'s1', 's3', 's9', 's20'}
    r = t.loc['s20_ne_01']
    assert (r.onset, r.apex, r.offset, r.y) == (17581039, 17581047, 17581055, 0) and len(r.frames) == 17
    assert Path(r.frames[0]).relative_to(FIX / 'smic_hs').as_posix() == \
        'SMIC_all_cropped/HS/s20/micro/negative/s20_ne_01/reg_image17581039.bmp'
    assert Path(t.loc['s1_ne_01'].frames[0]).name == 'reg_image002640.bmp'
    assert sum(r.au) == 0 and r.au_raw == ''                                     # SMIC has no AU labels
    assert t.loc['s3_ne_20'].label == 'negative'                                 # text in FirstF does not matter
    p = t.loc['s3_po_08']
    assert p.apex == 5003 and len(p.frames) == 8                                 # middle 5004 missing -> nearest
    a = t.loc['s1_sur_01']
    assert (a.onset, a.apex, a.offset, a.label) == (4000, 4002, 4005, 'surprise') and a.source.endswith(':folder')
    assert entries(d, action='added').value.tolist() == ['SMIC_all_cropped/HS/s1/micro/surprise/s1_sur_01']
    e = entries(d, row=7).iloc[0]
    assert (e.field, e.action) == ('frames', 'excluded') and 'clip folder not found' in e.reason
    d2 = load_dataset('smic_hs', FIX / 'smic_hs', unannotated='ignore')
    assert 's1_sur_01' not in set(d2.table['clip']) and entries(d2, action='ignored').shape[0] == 1

# ------------------------------------------------------------------------------------------ composite

def test_megc2019_composite():
    g = load_dataset('megc2019', FIX / 'megc2019', roots=ROOTS)
    assert g.protocol == 'megc2019_3' and g.classes == ('negative', 'positive', 'surprise')
    t = g.table.set_index(['dataset', 'subject', 'clip'])
    assert len(t) == 19
    assert g.table.groupby('dataset').size().to_dict() == dict(casme2=6, smic_hs=6, samm=7)
    assert t.loc[('smic_hs', 's1', 's1_ne_01')].y == 0 and t.loc[('casme2', 'sub03', 'EP01_2')].label == 'surprise'
    assert t.loc[('samm', '007', '007_6_1')].label == 'positive' and t.loc[('samm', '009', '009_3_2')].y == 0
    c = load_dataset('casme2', FIX / 'casme2', 'casme2_7').table.set_index(['subject', 'clip'])
    for k in [('sub01', 'EP02_01f'), ('sub07', 'EP06_02_01'), ('sub16', 'EP01_08')]:
        for col in ('onset', 'apex', 'offset', 'frames', 'au', 'au_raw'):
            assert t.loc[('casme2',) + k][col] == c.loc[k][col]
    assert t.loc[('casme2', 'sub01', 'EP02_01f')].source == f'combined_3class_gt.csv:row 1; {CASME}:row 2'
    own = g.report[g.report.file == 'combined_3class_gt.csv']
    assert own.row.tolist() == [7, 13] and (own.action == 'excluded').all()
    assert 'no row in' in own.reason.iloc[0] and 'clip folder not found' in own.reason.iloc[1]
    assert {CASME, SAMM, SMIC} <= set(g.report.file)                              # component reports included


def test_megc2019_join_ignores_row_order(tmp_path):
    root = tmp_path / 'megc'; root.mkdir()
    lines = (FIX / 'megc2019' / 'combined_3class_gt.csv').read_text().splitlines()
    (root / 'combined_3class_gt.csv').write_text('\n'.join(lines[::-1]) + '\n')
    a = load_dataset('megc2019', FIX / 'megc2019', roots=ROOTS).table.set_index(['dataset', 'subject', 'clip'])
    b = load_dataset('megc2019', root, roots=ROOTS).table.set_index(['dataset', 'subject', 'clip'])
    assert sorted(a.index) == sorted(b.index)
    for k in a.index: assert a.loc[k].au == b.loc[k].au and a.loc[k].frames == b.loc[k].frames


def test_megc2019_gt2_and_default_layout(tmp_path):
    root = tmp_path / 'megc'; root.mkdir()
    shutil.copy(FIX / 'megc2019' / 'combined_3class_gt-2.csv', root)
    for ds, folder in (('casme2', 'CASME2'), ('samm', 'SAMM'), ('smic_hs', 'SMIC')): shutil.copytree(FIX / ds, root / folder)
    g = load_dataset('megc2019', root)                                            # falls back to the -2 file
    assert g.info['annotation'].name == 'combined_3class_gt-2.csv'
    assert len(g.table) == 18 and '028_4_1' not in set(g.table['clip'])          # blank ',,,' lines skipped


def test_megc2019_bad_rows(tmp_path):
    root = tmp_path / 'megc'; root.mkdir()
    rows = ['casme2,sub01,EP02_01f,0',      # label differs from the annotation (happiness -> positive)
            'casme2,sub01,EP02_01f,0',      # identical duplicate
            'casmeX,sub01,EP19_05f,0',      # unknown dataset
            'samm,6,006_1_3,7',             # bad label code
            'smic,s01,s01_po_01,1']
    (root / 'combined_3class_gt.csv').write_text('\r\n'.join(rows) + '\r\n')
    g = load_dataset('megc2019', root, roots=ROOTS)
    own = g.report[g.report.file == 'combined_3class_gt.csv'].set_index('row')
    assert own.loc[1, 'action'] == 'kept' and 'differs' in own.loc[1, 'reason']
    assert own.loc[2, 'action'] == 'excluded' and 'duplicate of row 1' in own.loc[2, 'reason']
    assert own.loc[3, 'field'] == 'dataset' and own.loc[4, 'field'] == 'label'
    assert len(g.table) == 2 and g.table.label.tolist() == ['negative', 'positive']

# ------------------------------------------------------------------------------------------ bad input

def test_missing_root_and_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"(?s)nowhere.*Cropped/sub01/EP02_01f/reg_img46.jpg"):
        load_dataset('casme2', tmp_path / 'nowhere')
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match=r"(?s)SAMM_Micro_FACS_Codes_v2.xlsx.*SAMM/006/006_1_2"):
        load_dataset('samm', tmp_path / 'empty')
    with pytest.raises(FileNotFoundError, match='combined_3class_gt.csv'):
        load_dataset('megc2019', tmp_path / 'empty')
    root = tmp_path / 'annonly'; root.mkdir(); shutil.copy(FIX / 'casme2' / CASME, root)
    with pytest.raises(FileNotFoundError, match='image folder not found'):
        load_dataset('casme2', root)
    d = load_dataset('casme2', root, check_frames=False)                        # annotation only
    r = d.table.set_index('clip').loc['EP02_01f']
    assert Path(r.frames[0]).relative_to(root).as_posix() == 'Cropped/sub01/EP02_01f/reg_img46.jpg' and len(r.frames) == 6
    assert len(d.table) == 11
    with pytest.raises(FileNotFoundError, match='other.xlsx'):
        load_dataset('casme2', FIX / 'casme2', annotation='other.xlsx')


def test_unknown_names():
    with pytest.raises(ValueError, match="unknown dataset 'casme3'"): load_dataset('casme3', FIX / 'casme2')
    with pytest.raises(ValueError, match='casme2_5'): load_dataset('casme2', FIX / 'casme2', 'casme2_4')
    with pytest.raises(ValueError, match="is for dataset 'samm'"): get_protocol('casme2', 'samm_5')
    with pytest.raises(ValueError, match='bad_apex'): load_dataset('casme2', FIX / 'casme2', bad_apex='drop')


def test_custom_protocol():
    p = ClassProtocol('casme2_2', 'casme2', ('happy', 'other'), {'happiness': 'happy', 'surprise': 'other'})
    d = load_dataset('casme2', FIX / 'casme2', p)
    assert d.protocol == 'casme2_2' and d.counts().to_dict() == dict(happy=3, other=2)
    with pytest.raises(ValueError, match='not in classes'): ClassProtocol('x', 'casme2', ('a',), {'happiness': 'b'})
    assert set(list_protocols().dataset) == {'casme2', 'samm', 'mmew', 'smic_hs', 'megc2019'}
    assert list_protocols('mmew').query('default').name.tolist() == ['mmew_4']


def test_missing_sheet_and_column(tmp_path):
    root = copy('casme2', tmp_path)
    wb = openpyxl.load_workbook(root / CASME); wb['Sheet1'].title = 'Data'; wb.save(root / CASME)
    with pytest.raises(ValueError, match=r"no sheet 'Sheet1'.*'Data'"): load_dataset('casme2', root)
    root = copy('samm', tmp_path)
    edit(root / SAMM, 'MICRO_ONLY', {(14, 5): 'Apex'})
    with pytest.raises(ValueError, match=r"header row 14: missing columns \['Apex Frame'\]"): load_dataset('samm', root)


@pytest.mark.parametrize('apex', ['/', -1, None, 'x'])
def test_bad_apex(tmp_path, apex):
    root = copy('casme2', tmp_path)
    edit(root / CASME, 'Sheet1', {(2, 5): apex})                                 # sub01/EP02_01f, 46..51
    d = load_dataset('casme2', root)
    assert by_clip(d).loc['EP02_01f'].apex == 48
    e = entries(d, row=2).iloc[0]
    assert (e.field, e.action) == ('ApexFrame', 'corrected')
    d = load_dataset('casme2', root, bad_apex='exclude')
    assert 'EP02_01f' not in set(d.table['clip']) and entries(d, row=2).action.tolist() == ['excluded']
    with pytest.raises(AnnotationError, match=r"CASME2-coding-20190701.xlsx:row 2, field 'ApexFrame'"):
        load_dataset('casme2', root, strict=True)


@pytest.mark.parametrize('col,value,field,reason', [
    (9, 'angry', 'Estimated Emotion', 'unknown emotion'),
    (9, None, 'Estimated Emotion', 'unknown emotion'),
    (1, None, 'Subject', 'subject'),
    (2, None, 'Filename', 'empty clip name'),
    (4, 'abc', 'OnsetFrame', 'onset'),
    (6, 5, 'OffsetFrame', 'offset before onset'),
])
def test_bad_cells_excluded(tmp_path, col, value, field, reason):
    root = copy('casme2', tmp_path)
    edit(root / CASME, 'Sheet1', {(3, col): value})                              # row 3 = sub01/EP19_05f
    d = load_dataset('casme2', root)
    e = entries(d, row=3)
    assert e.field.tolist() == [field] and e.action.tolist() == ['excluded'] and reason in e.reason.iloc[0]
    assert len(d.table) == 10
    with pytest.raises(AnnotationError, match=rf"CASME2-coding-20190701.xlsx:row 3, field '{field}'"):
        load_dataset('casme2', root, strict=True, bad_apex='exclude')


def test_unknown_au_code(tmp_path):
    root = copy('samm', tmp_path)
    edit(root / SAMM, 'MICRO_ONLY', {(17, 9): '6+soft focus', (18, 9): '1+99'})  # garbage token, code 99
    d = load_dataset('samm', root)
    t = by_clip(d)
    assert sum(t.loc['007_6_1'].au) == 0 and sum(t.loc['007_7_1'].au) == 0
    e = entries(d, field='Action Units')
    assert e.row.tolist() == [17, 18] and (e.action == 'kept').all() and 'soft focus' in e.reason.iloc[0]
    assert 'AU99' in e.reason.iloc[1]
    d = load_dataset('samm', root, bad_au='exclude')
    assert {'007_6_1', '007_7_1'}.isdisjoint(d.table['clip'])
    with pytest.raises(AnnotationError, match=r"row 17, field 'Action Units'"):
        load_dataset('samm', root, strict=True, bad_apex='exclude')


def test_empty_au_cell(tmp_path):
    root = copy('mmew', tmp_path)
    edit(root / MMEW, 'Sheet1', {(2, 6): None})
    d = load_dataset('mmew', root)
    assert sum(by_clip(d).loc['S04-02-002'].au) == 0 and by_clip(d).loc['S04-02-002'].au_raw == ''
    e = entries(d, row=2).iloc[0]
    assert (e.field, e.action) == ('Action Units', 'kept') and 'empty AU cell' in e.reason


def test_duplicates(tmp_path):
    root = copy('casme2', tmp_path)
    vals = row_values(root / CASME, 'Sheet1', 2)
    insert_row(root / CASME, 'Sheet1', 4, vals)                                  # identical copy of row 2 at row 4
    d = load_dataset('casme2', root)
    assert len(d.table) == 11 and by_clip(d).loc['EP02_01f'].source == f'{CASME}:row 2'
    e = entries(d, row=4).iloc[0]
    assert e.action == 'excluded' and 'duplicate of row 2' in e.reason
    assert by_clip(d).loc['EP01_2'].source == f'{CASME}:row 5'                   # later rows keep true row numbers
    with pytest.raises(AnnotationError, match='row 4'): load_dataset('casme2', root, strict=True)
    root2 = copy('samm', tmp_path / 'b')
    vals = row_values(root2 / SAMM, 'MICRO_ONLY', 15); vals[4] = 5565                # same clip, other apex
    insert_row(root2 / SAMM, 'MICRO_ONLY', 16, vals)
    d = load_dataset('samm', root2)
    assert '006_1_2' not in set(d.table['clip'])
    e = entries(d, value='006/006_1_2')
    assert e.row.tolist() == [15, 16] and (e.action == 'excluded').all() and 'conflicting' in e.reason.iloc[0]


def test_blank_rows_and_subject_forms(tmp_path):
    root = copy('casme2', tmp_path)
    insert_row(root / CASME, 'Sheet1', 3, [None] * 10)                           # blank row: skipped, not a sample
    edit(root / CASME, 'Sheet1', {(2, 1): 1, (4, 1): 'sub01'})                    # number and 'sub01' forms
    d = load_dataset('casme2', root)
    assert len(d.table) == 11 and (d.table.subject == 'sub01').sum() == 2
    assert by_clip(d).loc['EP19_05f'].source == f'{CASME}:row 4'


def test_missing_frames(tmp_path):
    root = copy('casme2', tmp_path)
    shutil.rmtree(root / 'Cropped' / 'sub03' / 'EP01_2')                         # clip folder missing
    (root / 'Cropped' / 'sub01' / 'EP02_01f' / 'reg_img46.jpg').unlink()         # onset frame missing
    (root / 'Cropped' / 'sub01' / 'EP19_05f' / 'reg_img15.jpg').unlink()         # offset frame missing
    d = load_dataset('casme2', root)
    t = by_clip(d)
    assert {'EP01_2', 'EP02_01f'}.isdisjoint(t.index)
    assert t.loc['EP19_05f'].offset == 15 and len(t.loc['EP19_05f'].frames) == 5
    e = entries(d, row=4).iloc[0]
    assert e.action == 'excluded' and 'clip folder not found' in e.reason and e.value == 'Cropped/sub03/EP01_2'
    e = entries(d, row=2).iloc[0]
    assert e.action == 'excluded' and 'onset frame 46 not found' in e.reason
    assert entries(d, row=3).action.tolist() == ['kept']
    with pytest.raises(AnnotationError, match=r"row 2, field 'frames'"):
        load_dataset('casme2', root, strict=True, bad_apex='exclude')


def test_other_layouts(tmp_path):
    root = copy('casme2', tmp_path)
    raw = root / 'CASME2_RAW_selected'
    shutil.move(root / 'Cropped', raw)
    for p in raw.rglob('reg_img*.jpg'): p.rename(p.with_name(p.name.replace('reg_img', 'img')))
    d = load_dataset('casme2', root)
    assert len(d.table) == 11 and Path(by_clip(d).loc['EP02_01f'].frames[0]).name == 'img46.jpg'
    root = copy('mmew', tmp_path / 'm')
    d = load_dataset('mmew', root, 'mmew_7', unannotated='add')
    assert len(d.table) == 8                                                     # nothing unannotated
    shutil.copytree(root / 'Micro_Expression' / 'anger' / 'S28-07-001', root / 'Micro_Expression' / 'anger' / 'S28-07-002')
    d = load_dataset('mmew', root, 'mmew_7', unannotated='add')
    a = by_clip(d).loc['S28-07-002']
    assert (a.subject, a.label, a.onset, a.offset) == ('S28', 'anger', 1, 12)

# ------------------------------------------------------------------------------------------ fixtures

def test_fixture_layouts_read_like_the_real_files():
    c = pd.read_excel(FIX / 'casme2' / CASME)
    assert list(c.columns)[:4] == ['Subject', 'Filename', 'Unnamed: 2', 'OnsetFrame'] and c.Subject.dtype.kind == 'i'
    assert c.ApexFrame.dtype == object and len(c) == 12
    ws = openpyxl.load_workbook(FIX / 'casme2' / CASME)['Sheet1']
    assert ws['A2'].data_type == 's' and ws['A2'].value == '01' and ws['H2'].data_type == 'n'
    assert openpyxl.load_workbook(FIX / 'casme2' / CASME).sheetnames == ['Sheet1', 'Sheet2', 'Sheet3']
    s = pd.read_excel(FIX / 'samm' / SAMM, header=13)
    assert list(s.columns)[:3] == ['Subject', 'Filename', 'Inducement Code'] and s.Subject.iloc[0] == 6
    assert read_sheet(FIX / 'samm' / SAMM, 'MICRO_ONLY').header_row == 14
    h = openpyxl.load_workbook(FIX / 'smic_hs' / SMIC)
    assert h.sheetnames == ['HS', 'VIS', 'Sheet2', 'Sheet3'] and h['HS']['C1'].value is None
    assert (FIX / 'megc2019' / 'combined_3class_gt.csv').read_bytes().count(b'\r\n') == 21


def test_fixture_generator(tmp_path):
    spec = importlib.util.spec_from_file_location('make_fixtures', FIX / 'make_fixtures.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    total = mod.main(tmp_path)
    assert total < 1_000_000
    made = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob('*') if p.is_file())
    have = sorted(p.relative_to(FIX).as_posix() for p in FIX.rglob('*') if p.is_file() and p.parent != FIX
                  and '__pycache__' not in p.parts)
    assert made == have
    for f in ('combined_3class_gt.csv', 'combined_3class_gt-2.csv'):
        assert (tmp_path / 'megc2019' / f).read_bytes() == (FIX / 'megc2019' / f).read_bytes()
    for ds, f in (('casme2', CASME), ('samm', SAMM), ('mmew', MMEW), ('smic_hs', SMIC)):
        a, b = (openpyxl.load_workbook(p) for p in (tmp_path / ds / f, FIX / ds / f))
        assert a.sheetnames == b.sheetnames
        for ws in a.worksheets:
            assert [[c.value for c in r] for r in ws.iter_rows()] == [[c.value for c in r] for r in b[ws.title].iter_rows()]


def test_smic_frames_from_folder(tmp_path):
    root = copy('smic_hs', tmp_path)
    edit(root / SMIC, 'HS', {(2, 4): 2630})                                     # s1_ne_01 onset before the files
    d = load_dataset('smic_hs', root)
    assert 's1_ne_01' not in set(d.table['clip']) and 'onset frame 2630 not found' in entries(d, row=2).reason.iloc[0]
    d = load_dataset('smic_hs', root, frames_from='folder')
    r = by_clip(d).loc['s1_ne_01']
    assert (r.onset, r.apex, r.offset) == (2640, 2644, 2648) and entries(d, row=2).action.tolist() == ['corrected']
    with pytest.raises(ValueError, match='only for datasets without an annotated apex'):
        load_dataset('casme2', FIX / 'casme2', frames_from='folder')
