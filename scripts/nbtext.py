"""Authoring helper for developers: convert between a plain-text cell format and .ipynb.

Text format: cells start with a line `#%% md` (markdown) or `#%%` (code). Everything up to the next
marker is the cell body (markdown written raw, not commented). Leading/trailing blank lines trimmed.

  python scripts/nbtext.py tonb  /tmp/01_cva.txt nbs/01_cva.ipynb
  python scripts/nbtext.py totxt nbs/01_cva.ipynb /tmp/01_cva.txt
"""
import json, sys, re

def tonb(src, dst):
    cells, cur, kind = [], [], None
    def flush():
        if kind is None: return
        body = '\n'.join(cur).strip('\n')
        lines = body.split('\n')
        srcl = [l + '\n' for l in lines[:-1]] + [lines[-1]] if body else []
        c = {"cell_type": kind, "metadata": {}, "source": srcl}
        if kind == 'code' and '#| tags: [parameters]' in body: c["metadata"] = {"tags": ["parameters"]}
        if kind == 'code': c.update(execution_count=None, outputs=[])
        cells.append(c)
    for line in open(src, encoding='utf-8').read().split('\n'):
        m = re.match(r'^#%%\s*(md)?\s*$', line)
        if m:
            flush(); cur = []; kind = 'markdown' if m.group(1) else 'code'
        else:
            cur.append(line)
    flush()
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    for i, c in enumerate(cells): c["id"] = f"c{i:03d}"
    json.dump(nb, open(dst, 'w', encoding='utf-8'), indent=1, ensure_ascii=False)
    open(dst, 'a').write('\n')

def totxt(src, dst):
    nb = json.load(open(src, encoding='utf-8'))
    out = []
    for c in nb['cells']:
        out.append('#%% md' if c['cell_type'] == 'markdown' else '#%%')
        s = c['source']; out.append(''.join(s) if isinstance(s, list) else s); out.append('')
    open(dst, 'w', encoding='utf-8').write('\n'.join(out))

if __name__ == '__main__':
    {'tonb': tonb, 'totxt': totxt}[sys.argv[1]](sys.argv[2], sys.argv[3])
