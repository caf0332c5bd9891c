"""Render README.md from nbs/index.ipynb: its markdown cells, in order, and the text outputs of its code cells.

nbdev_readme needs quarto, which this project does not install; index.ipynb is kept to markdown (plus
code cells whose saved outputs should appear), so a plain render is exact. `python scripts/readme.py`
prints the README; tests/test_readme.py checks README.md is in sync.
"""
import json, sys
from pathlib import Path

def render(nb_path='nbs/index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source']).strip()
        if c['cell_type'] == 'markdown': parts.append(src)
        elif c['cell_type'] == 'code' and not src.startswith('#| hide'):
            parts.append('```python\n' + src + '\n```')
            for o in c.get('outputs', []):
                txt = ''.join(o.get('text', '') or o.get('data', {}).get('text/markdown', '') or o.get('data', {}).get('text/plain', ''))
                if txt.strip(): parts.append(txt.strip())
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    sys.stdout.write(render(*sys.argv[1:]))
