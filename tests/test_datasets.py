"Tests of `facesleuth.datasets` on the format fixtures in tests/fixtures (see tests/fixtures/make_fixtures.py)."
import csv, importlib.util, re, shutil
from pathlib import Path
import numpy as np
import openpyxl
import pandas as pd
import pytest
from facesleuth.core import AU_NAMES, AU_VOCAB, SAMPLE_COLUMNS
from facesleuth.datasets import (AnnotationError, MEData, CLASS_PROTOCOLS, ClassProtocol, REPORT_COLUMNS, get_class_protocol,
                                 list_class_protocols, load_dataset, read_sheet)

FIX = Path(__file__).parent / 'fixtures'
CASME = 'CASME2-coding-20190701.xlsx'
SAMM = 'SAMM_Micro_FACS_Codes_v2.xlsx'
MMEW = 'MMEW_Micro_Exp.xlsx'
SMIC = 'SMIC-HS-E_annotation_orig.xlsx'
SMIC_NEW = 'SMIC-HS-E_annotation.xlsx'
CASME3 = 'cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx'
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

@pytest.mark.parametrize('name', ['casme2', 'samm', 'mmew', 'smic_hs', 'casme3', 'megc2019'])
def test_common_table(name):
    d = load_dataset(name, FIX / name, roots=ROOTS) if name == 'megc2019' else load_dataset(name, FIX / name)
    assert isinstance(d, MEData) and d.name == name and d.class_protocol == CLASS_PROTOCOLS[d.class_protocol].name
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
    assert d.class_protocol == 'casme2_5' and d.classes == ('happiness', 'repression', 'disgust', 'surprise', 'others')
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


def test_strict_passes_on_the_real_quirks():
    "Issue 10 item 9: the '/' apex (real row 31) and the '?' AU cells are documented, reported corrections, not errors."
    for ann in (CASME, 'CASME2-coding-20140508.xlsx'):
        d = load_dataset('casme2', FIX / 'casme2', annotation=ann, strict=True)
        e = entries(d, row=5).iloc[0]
        assert (e.field, e.value, e.action, e.kind) == ('ApexFrame', '/', 'corrected', 'apex_not_annotated')
        assert len(d.table) == (11 if ann == CASME else 10)
    d = load_dataset('casme2', FIX / 'casme2', annotation='CASME2-coding-20140508.xlsx', strict=True)
    assert entries(d, value='?').kind.tolist() == ['au_token_unread']
    s = load_dataset('samm', FIX / 'samm', strict=True)                           # apex outside: corrected
    assert entries(s, row=22).action.tolist() == ['corrected'] and len(s.table) == 6
    with pytest.raises(AnnotationError, match=r"SMIC-HS-E_annotation_orig.xlsx:row 7, field 'frames'.*clip folder not found"):
        load_dataset('smic_hs', FIX / 'smic_hs', strict=True)                     # a missing clip folder stays an error


@pytest.mark.parametrize('class_protocol,n,counts', [
    ('casme2_7', 12, dict(happiness=3, repression=2, disgust=3, surprise=2, others=1, fear=1, sadness=0)),
    ('casme2_3_megc', 8, dict(negative=3, positive=3, surprise=2)),
    ('casme2_3_mmnet', 11, dict(negative=6, positive=3, surprise=2)),
])
def test_casme2_protocols(class_protocol, n, counts):
    d = load_dataset('casme2', FIX / 'casme2', class_protocol, allow_empty_classes=True)
    assert len(d.table) == n and d.counts().to_dict() == counts
    assert d.classes == CLASS_PROTOCOLS[class_protocol].classes
    assert entries(d, action='class absent').value.tolist() == [c for c, k in counts.items() if not k]


def test_casme2_megc_follows_the_composite_list():
    "Issue 10 item 8: MEGC2019 lists 145 CASME II clips (88/32/25); sub04/EP12_01f and sub05/EP09_05f are not among them."
    d = load_dataset('casme2', FIX / 'casme2', 'casme2_3_megc', annotation='CASME2-coding-20140508.xlsx')
    keys = set(zip(d.table.subject, d.table['clip']))
    assert not {('sub04', 'EP12_01f'), ('sub05', 'EP09_05f')} & keys
    e = entries(d, kind='not_in_protocol_list')
    assert e.row.tolist() == [5, 6] and (e.action == 'excluded').all() and 'casme2_3_megc' in e.reason.iloc[0]
    assert "'/'" in e.reason.iloc[0] and 'apex = onset' in e.reason.iloc[1]
    g = load_dataset('megc2019', FIX / 'megc2019', roots=ROOTS)                   # the composite's own list agrees
    assert not {('sub04', 'EP12_01f'), ('sub05', 'EP09_05f')} & set(zip(g.table.subject, g.table['clip']))
    assert len(load_dataset('casme2', FIX / 'casme2', 'casme2_3_mmnet').table) == 11   # other protocols keep them


def test_casme2_three_class_subject_absent():
    d = load_dataset('casme2', FIX / 'casme2', 'casme2_3_megc')
    assert set(entries(d, action='subject absent').value) == {'sub04', 'sub10', 'sub18'}   # sub18 has only 'others'

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
    assert len(load_dataset('samm', FIX / 'samm', bad_apex='exclude', strict=True).table) == 5   # the user's rule: no error


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
    assert d.class_protocol == 'mmew_4' and d.classes == ('happiness', 'surprise', 'disgust', 'others')
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
    assert 's1_sur_01' not in set(d2.table['clip']) and entries(d2, kind='unannotated_folder').shape[0] == 1

# ------------------------------------------------------------------------------------------ composite

def test_megc2019_composite():
    g = load_dataset('megc2019', FIX / 'megc2019', roots=ROOTS)
    assert g.class_protocol == 'megc2019_3' and g.classes == ('negative', 'positive', 'surprise')
    t = g.table.set_index(['dataset', 'subject', 'clip'])
    assert len(t) == 19
    assert g.table.groupby('dataset').size().to_dict() == dict(casme2=6, smic_hs=6, samm=7)
    assert t.loc[('smic_hs', 's1', 's1_ne_01')].y == 0 and t.loc[('casme2', 'sub03', 'EP01_2')].label == 'surprise'
    assert t.loc[('samm', '007', '007_6_1')].label == 'positive' and t.loc[('samm', '009', '009_3_2')].y == 0
    c = load_dataset('casme2', FIX / 'casme2', 'casme2_7', allow_empty_classes=True).table.set_index(['subject', 'clip'])
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
    with pytest.raises(AnnotationError, match=r"combined_3class_gt.csv.*class 'surprise' of protocol 'megc2019_3'"):
        load_dataset('megc2019', root, roots=ROOTS)
    g = load_dataset('megc2019', root, roots=ROOTS, allow_empty_classes=True)
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
    with pytest.raises(ValueError, match="unknown dataset 'casme4'"): load_dataset('casme4', FIX / 'casme2')
    with pytest.raises(ValueError, match='casme2_5'): load_dataset('casme2', FIX / 'casme2', 'casme2_4')
    with pytest.raises(ValueError, match="is for dataset 'samm'"): get_class_protocol('casme2', 'samm_5')
    with pytest.raises(ValueError, match='bad_apex'): load_dataset('casme2', FIX / 'casme2', bad_apex='drop')


def test_custom_protocol():
    p = ClassProtocol('casme2_2', 'casme2', ('happy', 'other'), {'happiness': 'happy', 'surprise': 'other'})
    d = load_dataset('casme2', FIX / 'casme2', p)
    assert d.class_protocol == 'casme2_2' and d.counts().to_dict() == dict(happy=3, other=2)
    with pytest.raises(ValueError, match='not in classes'): ClassProtocol('x', 'casme2', ('a',), {'happiness': 'b'})
    assert set(list_class_protocols().dataset) == {'casme2', 'samm', 'mmew', 'smic_hs', 'casme3', 'megc2019'}
    assert list_class_protocols('mmew').query('default').name.tolist() == ['mmew_4']


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
    d = load_dataset('casme2', root, strict=True)                                # a documented correction: no error
    assert entries(d, row=2).action.tolist() == ['corrected'] and by_clip(d).loc['EP02_01f'].apex == 48


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
    assert aus(t.loc['007_6_1'].au) == {'AU06'} and aus(t.loc['007_7_1'].au) == {'AU01'}   # the readable tokens stay
    e = entries(d, field='Action Units')
    assert e.row.tolist() == [17, 18] and (e.action == 'kept').all() and 'soft focus' in e.reason.iloc[0]
    assert 'AU99' in e.reason.iloc[1] and e.kind.tolist() == ['au_token_unread', 'au_code_unknown']
    d = load_dataset('samm', root, bad_au='exclude', allow_empty_classes=True)
    assert {'007_6_1', '007_7_1'}.isdisjoint(d.table['clip'])
    with pytest.raises(AnnotationError, match=r"row 18, field 'Action Units'.*AU99"):   # an unknown code is a data error
        load_dataset('samm', root, strict=True)


@pytest.mark.parametrize('cell,kept,unread', [
    ('4D+ref(6)+7C+43E', {'AU04', 'AU07'}, ["'ref(6)'"]),                       # issue 10 item 6
    ('12+soft focus', {'AU12'}, ["'soft focus'"]),
    ('ref(24)', set(), ["'ref(24)'"]),
    ('(R6 or R12)+R15+', {'AU06', 'AU12', 'AU15'}, ['empty token']),
])
def test_au_tokens_parsed_one_by_one(tmp_path, cell, kept, unread):
    root = copy('samm', tmp_path)
    edit(root / SAMM, 'MICRO_ONLY', {(15, 9): cell})                             # 006_1_2
    d = load_dataset('samm', root, strict=True)
    r = by_clip(d).loc['006_1_2']
    assert aus(r.au) == kept and r.au_raw == cell
    e = entries(d, row=15, kind='au_token_unread').iloc[0]
    assert e.action == 'kept' and e.value == cell and all(u in e.reason for u in unread)
    assert (', '.join(sorted(kept)) or 'all 0') in e.reason


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
    d = load_dataset('samm', root2, allow_empty_classes=True)                    # 006_1_2 was the only contempt clip
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
    for ds, f in (('casme2', CASME), ('samm', SAMM), ('mmew', MMEW), ('smic_hs', SMIC), ('smic_hs', SMIC_NEW),
                  ('casme3', CASME3)):
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


# ------------------------------------------------------------------------------------------ annotation files (issue 10 item 5)

def xlsx_to_csv(src, sheet, dst, drop_emotion=None, col=None):
    "Write a CSV copy of `sheet` (the way Excel's 'Save as CSV' does), optionally without the rows of one emotion."
    rows = [['' if v is None else v for v in r] for r in openpyxl.load_workbook(src)[sheet].iter_rows(values_only=True)]
    if drop_emotion: rows = [r for r in rows if str(r[col]).lower() != drop_emotion]
    with open(dst, 'w', newline='') as f: csv.writer(f).writerows(rows)


@pytest.mark.parametrize('content,why', [
    (b'', 'empty (0 bytes)'), (b'Subject,Filename\n1,a\n', 'not an .xlsx workbook'),
    (b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + bytes(64), 'old-format .xls'), (b'PK\x03\x04broken', 'not a valid .xlsx'),
])
def test_unreadable_xlsx_names_the_file(tmp_path, content, why):
    root = copy('casme2', tmp_path)
    (root / CASME).write_bytes(content)
    with pytest.raises(AnnotationError, match=rf"^CASME2-coding-20190701.xlsx: cannot read this annotation file: .*{re.escape(why)}"):
        load_dataset('casme2', root)


@pytest.mark.parametrize('strict', [False, True])
def test_empty_table_is_an_error(tmp_path, strict):
    root = copy('mmew', tmp_path)
    wb = openpyxl.load_workbook(root / MMEW); wb['Sheet1'].delete_rows(2, 20); wb.save(root / MMEW)
    with pytest.raises(AnnotationError, match=r"MMEW_Micro_Exp.xlsx: the annotation table is empty: .*header in row 1"):
        load_dataset('mmew', root, strict=strict)
    (root / MMEW).unlink(); (root / 'MMEW_Micro_Exp.csv').write_text('Subject,Filename,OnsetFrame\n,,\n')
    with pytest.raises(AnnotationError, match=r"MMEW_Micro_Exp.csv: the annotation table is empty"):
        load_dataset('mmew', root)


def test_protocol_class_without_samples(tmp_path):
    "MMEW without its 'others' rows (HTNet's CSV): mmew_4 raises naming file, protocol and class, unless allowed."
    root = copy('mmew', tmp_path)
    xlsx_to_csv(root / MMEW, 'Sheet1', root / 'MMEW_Micro_Exp_delete_others.csv', 'others', 6)
    (root / MMEW).unlink()
    kw = dict(annotation='MMEW_Micro_Exp_delete_others.csv')
    with pytest.raises(AnnotationError, match=r"MMEW_Micro_Exp_delete_others.csv, field 'Estimated Emotion', value "
                                              r"'others': class 'others' of protocol 'mmew_4' has no samples"):
        load_dataset('mmew', root, **kw)
    d = load_dataset('mmew', root, allow_empty_classes=True, **kw)
    assert d.counts().to_dict() == dict(happiness=1, surprise=2, disgust=1, others=0)
    e = entries(d, action='class absent').iloc[0]
    assert (e.value, e.kind, e.row) == ('others', 'empty_class', None) or (e.value, e.kind) == ('others', 'empty_class')
    assert d.summary()['class_counts']['others'] == 0
    assert len(load_dataset('mmew', root, 'mmew_6', **kw).table) == 7             # the six-class protocol is complete
    root2 = copy('casme2', tmp_path / 'c')                                        # all rows of a class excluded
    shutil.rmtree(root2 / 'Cropped' / 'sub18')
    with pytest.raises(AnnotationError, match=r"class 'others' .* occur in 1 row\(s\), all excluded"):
        load_dataset('casme2', root2)


def test_csv_copies_are_read(tmp_path):
    for ds, f, sheet in (('mmew', MMEW, 'Sheet1'), ('smic_hs', SMIC, 'HS'), ('casme2', CASME, 'Sheet1'),
                         ('samm', SAMM, 'MICRO_ONLY'), ('casme3', CASME3, 'label')):
        root = copy(ds, tmp_path / ds)
        xlsx_to_csv(root / f, sheet, root / Path(f).with_suffix('.csv').name)
        (root / f).unlink()
        for other in root.glob('*.xlsx'): other.unlink()
        a, b = load_dataset(ds, FIX / ds), load_dataset(ds, root)                 # found by name, same samples
        assert b.info['annotation'].suffix == '.csv'
        cols = ['subject', 'clip', 'onset', 'apex', 'offset', 'label', 'y', 'au', 'au_raw']
        assert a.table[cols].equals(b.table[cols]), ds
        assert b.table.source.iloc[0].startswith(Path(f).with_suffix('.csv').name + ':row ')
        assert a.report.drop(columns='file').row.tolist() == b.report.drop(columns='file').row.tolist()
    root = copy('mmew', tmp_path / 'semi')                                        # ';'-separated (European Excel)
    rows = [['' if v is None else v for v in r] for r in openpyxl.load_workbook(root / MMEW)['Sheet1'].iter_rows(values_only=True)]
    with open(root / 'copy.csv', 'w', newline='') as fh: csv.writer(fh, delimiter=';').writerows(rows)
    assert len(load_dataset('mmew', root, annotation='copy.csv').table) == 5
    (root / 'bin.csv').write_bytes(b'\x00\x01' * 10)
    with pytest.raises(AnnotationError, match=r"bin.csv: cannot read this annotation file: it is binary"):
        load_dataset('mmew', root, annotation='bin.csv')

# ------------------------------------------------------------------------------------------ SMIC-HS-E newer file (item 7)

def test_smic_newer_file_reports_further_intervals():
    d = load_dataset('smic_hs', FIX / 'smic_hs', annotation=SMIC_NEW)
    assert len(d.table) == 7 and by_clip(d).loc['s9_sur_01'].offset == 61232     # the first interval is the sample
    e = entries(d, kind='extra_interval')
    assert list(zip(e.row, e.field, e.value)) == [(5, 'Onset2F', '5020..5030'), (6, 'Onset2F', '61250..61291'),
        (6, 'Onset3F', '61250..61291'), (8, 'Onset2F', '17581070..17581090'), (8, 'Onset3F', '17549887..17581000')]
    assert (e.action == 'ignored').all() and (e.file == SMIC_NEW).all()
    assert 'repeats interval 2' in e.reason.iloc[2] and 'lies before the first interval' in e.reason.iloc[4]
    assert 'one sample per clip folder' in e.reason.iloc[0]
    o = load_dataset('smic_hs', FIX / 'smic_hs')                                  # the orig file's second interval too
    assert entries(o, kind='extra_interval').value.tolist() == ['61300..61310']

# ------------------------------------------------------------------------------------------ CAS(ME)^3 Part A

def test_casme3_rows_and_protocols():
    d = load_dataset('casme3', FIX / 'casme3')
    assert d.class_protocol == 'casme3_4' and d.classes == ('negative', 'positive', 'surprise', 'others')
    t = d.table.set_index(['subject', 'clip'])
    assert len(t) == 11 and t.index.get_level_values(0).nunique() == 7
    r = t.loc[('spNO.1', 'a_355')]
    assert (r.onset, r.apex, r.offset, r.label, r.au_raw) == (355, 359, 360, 'others', '5') and aus(r.au) == {'AU05'}
    assert [Path(p).relative_to(FIX / 'casme3').as_posix() for p in r.frames][:2] == \
        ['part_A/spNO.1/a/color/355.jpg', 'part_A/spNO.1/a/color/356.jpg']
    assert r.source == f'{CASME3}:row 2'
    e1, e2 = t.loc[('spNO.1', 'e_62')], t.loc[('spNO.1', 'e_96')]                 # two MEs of one task video
    assert Path(e1.frames[0]).parent == Path(e2.frames[0]).parent and (e1.label, e2.label) == ('others', 'positive')
    j = t.loc[('spNO.14', 'j_1012')]                                              # 'J' in the sheet, folder j on disk
    assert j.label == 'others' and Path(j.frames[0]).parent.parent.name == 'j'    # 'Others' = others
    assert aus(t.loc[('spNO.2', 'c_40')].au) == {'AU01', 'AU02'} and aus(t.loc[('spNO.3', 'g_20')].au) == {'AU14', 'AU28'}
    assert len(t.loc[('spNO.1', 'b_166')].frames) == 6                            # frame 168 dropped: kept
    counts = {p: load_dataset('casme3', FIX / 'casme3', p).counts().to_dict() for p in ('casme3_7', 'casme3_3')}
    assert counts == dict(casme3_7=dict(happy=1, disgust=1, surprise=1, fear=1, anger=1, sad=1, others=5),
                          casme3_3=dict(negative=4, positive=1, surprise=1))


def test_casme3_documented_fixes_and_bad_rows():
    with pytest.raises(AnnotationError, match=r"JpgIndex_v2.xlsx:row 13, field 'Offset', value 290: offset before onset"):
        load_dataset('casme3', FIX / 'casme3', strict=True)                       # the undocumented broken row only
    d = load_dataset('casme3', FIX / 'casme3')
    t = d.table.set_index(['subject', 'clip'])
    assert (t.loc[('spNO.40', 'e_1812')].offset, t.loc[('spNO.216', 'e_1')].onset, t.loc[('spNO.216', 'e_1')].apex) == (1845, 1, 1)
    f = entries(d, kind='documented_fix')
    assert list(zip(f.row, f.field, f.value)) == [(11, 'Offset', '0'), (12, 'Onset', '0'), (12, 'Apex', '0')]
    assert (f.action == 'corrected').all() and 'CAS(ME)3_part_A_v2.xls' in f.reason.iloc[0] and 'ZhouJu' in f.reason.iloc[1]
    e = entries(d, row=13).iloc[0]                                                # not a documented row: excluded
    assert (e.file, e.field, e.value, e.action, e.kind) == (CASME3, 'Offset', '290', 'excluded', 'offset_before_onset')
    raw = load_dataset('casme3', FIX / 'casme3', fixes=False)
    assert entries(raw, row=11).kind.tolist() == ['offset_before_onset']
    assert entries(raw, row=12).kind.tolist() == ['key_frame_missing'] and 'onset frame 0 not found' in entries(raw, row=12).reason.iloc[0]
    with pytest.raises(AnnotationError, match=r"cas\(me\)3_part_A_ME_label_JpgIndex_v2.xlsx:row 11, field 'Offset', value 0"):
        load_dataset('casme3', FIX / 'casme3', fixes=False, strict=True)


def test_casme3_duplicates_and_cells(tmp_path):
    root = copy('casme3', tmp_path)
    insert_row(root / CASME3, 'label', 3, row_values(root / CASME3, 'label', 2))  # identical copy of spNO.1/a 355
    edit(root / CASME3, 'label', {(8, 8): 'contempt', (10, 1): 'NO.5x'})       # spNO.14/J, spNO.3/f
    d = load_dataset('casme3', root)
    assert entries(d, row=3).reason.iloc[0] == 'duplicate of row 2 (identical row)'
    assert entries(d, row=8).kind.tolist() == ['unknown_emotion'] and entries(d, row=10).kind.tolist() == ['bad_subject']
    assert entries(d, row=8).field.tolist() == ['emotion'] and entries(d, row=10).value.tolist() == ['NO.5x']
    with pytest.raises(AnnotationError, match=r"JpgIndex_v2.xlsx:row 10, field 'Subject', value 'NO.5x'"):
        load_dataset('casme3', root, strict=True)


def test_summary_for_the_runner():
    s = load_dataset('casme2', FIX / 'casme2', annotation='CASME2-coding-20140508.xlsx').summary()
    assert (s['dataset'], s['class_protocol'], s['annotation'], s['n_samples'], s['n_subjects']) == \
        ('casme2', 'casme2_5', 'CASME2-coding-20140508.xlsx', 10, 8)
    assert s['class_counts'] == dict(happiness=3, repression=2, disgust=3, surprise=1, others=1)
    assert s['excluded'] == 2 and s['excluded_by_kind'] == dict(not_in_protocol=2)
    assert s['corrected'] == 1 and s['corrected_by_kind'] == dict(apex_not_annotated=1)
    assert s['kept_by_kind'] == dict(au_code_dropped=1, au_token_unread=1, frames_missing=1)
    assert s['other_notes'] == {'ignored': 1, 'subject absent': 2}
    import json; json.dumps(s)
    g = load_dataset('megc2019', FIX / 'megc2019', roots=ROOTS).summary()
    assert g['n_samples'] == 19 and g['excluded'] == 2 and set(g['components']) == {'casme2', 'samm', 'smic_hs'}
