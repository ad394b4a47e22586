#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Man pages, each from one source (docs/man/meson.build runs this).

  mkman.py cli --name PROG --desc TEXT --version V [--command CMD ...] -o OUT HELP [CMDHELP ...]
      PROG(1) from its own --help output (HELP: the text the built program
      printed, captured by meson). With --command, PROG has subcommands and
      CMDHELP is the help of each (`udrv help CMD`), in the same order; then
      every command PROG's --help lists must have one and no other, or this
      fails saying which.
  mkman.py header --name NAME --version V -o OUT HEADER
      NAME(3) from the doc comments of a public header (udrv.h): its opening
      comment, each section's banner, and every declaration outside the
      architecture-specific #if blocks, with the comment written above it.
      Fails if a UDRV_API function has no comment, or if a "name() - ..."
      comment names another function than the one under it.
  mkman.py check PAGE TEXT...
      the test: every word of the TEXT files (the --help outputs, or the
      header) must be in PAGE (as often as in them: for a header, every
      function it exports must be declared there), and PAGE must render
      with groff -ww without a warning and have a NAME line lexgrog reads.

The help texts are those of tools/udrv and drivers/*: "usage: PROG ..."
first, then lines "  TERM  description" (an option when TERM starts with
'-', a command otherwise; a TERM alone on its line is described on the more
indented lines under it), paragraphs, and "options:"-style headings. Dates
come from SOURCE_DATE_EPOCH (dpkg-buildpackage sets it), else none.
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import time

PROG = 'mkman.py'


def fail(msg):
    print(f'{PROG}: {msg}', file=sys.stderr)
    sys.exit(1)


# ---- roff ------------------------------------------------------------------

def esc(s):
    """Text made safe for roff: backslashes, minus signs, quotes."""
    s = s.replace('\\', '\\e').replace('-', '\\-')
    s = s.replace("'", '\\(aq').replace('`', '\\(ga')
    return '\\&' + s if s.startswith('.') else s


def syn(s, first_bold=False):
    """A synopsis or an item's term: options bold, METAVARS italic."""
    out = []
    for i, tok in enumerate(re.findall(r'--?[A-Za-z0-9][\w-]*|[A-Za-z_][\w-]*|\s+|.', s)):
        if tok.startswith('-') and len(tok) > 1 or (first_bold and i == 0):
            out.append('\\fB' + esc(tok) + '\\fR')
        elif re.fullmatch(r'[A-Z][A-Z0-9_-]*[A-Z0-9]', tok):
            out.append('\\fI' + esc(tok) + '\\fR')
        else:
            out.append(esc(tok))
    return ''.join(out)


def code_markup(s):
    """Header prose: @param italic, name() and `code` bold."""
    s = re.sub(' {2,}', ' ', s)
    out = []
    for tok in re.split(r'(`[^`]+`|(?<![\w/])@\w+|\b[A-Za-z_]\w*\(\))', s):
        if tok.startswith('`') and tok.endswith('`') and len(tok) > 1:
            out.append('\\fB' + esc(tok[1:-1]) + '\\fR')
        elif tok.startswith('@'):
            out.append('\\fI' + esc(tok[1:]) + '\\fR')
        elif tok.endswith('()'):
            out.append('\\fB' + esc(tok[:-2]) + '\\fR()')
        else:
            out.append(esc(tok))
    return ''.join(out)


def th(name, section, version):
    sde = os.environ.get('SOURCE_DATE_EPOCH')
    date = time.strftime('%Y-%m-%d', time.gmtime(int(sde))) if sde else ''
    return f'.TH "{name.upper()}" "{section}" "{date}" "udrv {version}" "udrv"'


# ---- text blocks -----------------------------------------------------------

def indent_of(line):
    return len(line) - len(line.lstrip(' '))


ITEM = re.compile(r'^( *)(\S+(?: \S+)*?) {2,}(\S.*)$')


def looks_like_term(term):
    return bool(re.match(r'[-@a-z0-9_<]', term))


def blocks(lines):
    """Lines of help or comment text -> blocks, dicts of 'kind' ('para',
    'item', 'bullet' or 'heading'), 'text' and, for an item, 'term'. A
    paragraph's lines are joined; an item's or a bullet's text goes on over
    the more indented lines below it; a blank line ends any block."""
    out = []
    cur = None
    lines = [ln.expandtabs(8).rstrip() for ln in lines]
    for n, line in enumerate(lines):
        if not line.strip():
            cur = None
            continue
        ind = indent_of(line)
        text = line.strip()
        if cur and cur['kind'] in ('item', 'bullet') and ind > cur['indent']:
            cur['text'] = (cur['text'] + ' ' + text).strip()
            continue
        nxt = next((ln for ln in lines[n + 1:] if ln.strip()), '')
        in_para = cur is not None and cur['kind'] == 'para'
        m = ITEM.match(line)
        if re.match(r'- \S', text) and (ind > 0 or (cur and cur['kind'] == 'bullet')):
            cur = {'kind': 'bullet', 'text': text[2:]}
        elif m and looks_like_term(m.group(2)) and (ind > 0 or m.group(2).startswith('@')):
            cur = {'kind': 'item', 'term': m.group(2), 'text': m.group(3)}
        elif (ind > 0 and looks_like_term(text) and indent_of(nxt) > ind + 2
              and not (in_para and cur['indent'] == ind)):
            # a term alone, described on the lines under it
            cur = {'kind': 'item', 'term': text, 'text': ''}
        elif ind == 0 and text.endswith(':') and len(text) < 48 and indent_of(nxt) > 0 \
                and not in_para:
            out.append({'kind': 'heading', 'text': text[:-1]})
            cur = None
            continue
        elif in_para:
            cur['text'] += ' ' + text
            continue
        else:
            cur = {'kind': 'para', 'text': text}
        cur['indent'] = ind
        out.append(cur)
    return out


def cli_term(term):
    return syn(term, first_bold=not term.startswith('-'))


def render(bls, markup=esc, term=cli_term):
    """Blocks as roff lines."""
    r = []
    for b in bls:
        if b['kind'] == 'para':
            r += ['.PP', markup(b['text'])]
        elif b['kind'] == 'heading':
            r += ['.PP', markup(b['text']) + ':']
        elif b['kind'] == 'bullet':
            r += ['.IP \\(bu 2', markup(b['text'])]
        else:
            r += ['.TP', term(b['term'])]
            if b['text']:
                r.append(markup(b['text']))
    return r


# ---- section 1: --help ---------------------------------------------------------

def read(path):
    try:
        with open(path, encoding='utf-8') as f:
            return f.read()
    except OSError as e:
        fail(f'{path}: {e.strerror}')


def split_usage(text, prog):
    """The "usage: PROG ..." line (and its indented continuations) and the rest."""
    lines = text.rstrip('\n').split('\n')
    if not lines or not lines[0].startswith('usage: ' + prog):
        fail(f'{prog} --help does not start with "usage: {prog}"')
    usage = [lines[0][len('usage: '):]]
    i = 1
    while i < len(lines) and indent_of(lines[i]) > 4:
        usage.append(lines[i].strip())
        i += 1
    first = re.split(r' {2,}', ' '.join(usage))
    return first[0], ' '.join(first[1:]), lines[i:]


def cli_page(a):
    main = read(a.help)
    synopsis, usage_note, rest = split_usage(main, a.name)
    if len(a.command) != len(a.subhelp):
        fail(f'{len(a.command)} commands but {len(a.subhelp)} help texts for them')
    subs = {cmd: read(path) for cmd, path in zip(a.command, a.subhelp)}

    desc, commands, options = [], [], []
    synopses = [synopsis]
    if subs:
        # PROG CMD lines list the commands; each has its own help
        listed = []
        body = []
        for line in rest:
            m = re.match(r'^ +' + re.escape(a.name) + r' (\S+)', line)
            if m:
                listed.append(m.group(1))
            else:
                body.append(line)
        missing = [c for c in listed if c not in subs]
        extra = [c for c in subs if c not in listed]
        if missing:
            fail(f'{a.name} --help lists command "{missing[0]}", which has no --command '
                 '(docs/man/meson.build)')
        if extra:
            fail(f'"{extra[0]}" is not a command {a.name} --help lists')
        desc = blocks(body)
        for cmd in listed:
            lines = subs[cmd].rstrip('\n').split('\n')
            if not lines[0].startswith(f'{a.name} {cmd}'):
                fail(f'"{a.name} help {cmd}" does not start with "{a.name} {cmd}"')
            synopses.append(lines[0])
            commands.append((lines[0], blocks(lines[1:])))
    else:
        section = None
        for b in blocks(rest):
            if b['kind'] == 'heading':
                section = b['text'].lower()
            elif b['kind'] == 'item' and (b['term'].startswith('-') or section == 'options'):
                options.append(b)
            elif b['kind'] == 'item':
                commands.append(b)
            else:
                desc.append(b)

    r = [th(a.name, 1, a.version), '.SH NAME', f'{esc(a.name)} \\- {esc(a.desc)}',
         '.SH SYNOPSIS', '.nf']
    for s in synopses:
        r.append(syn(s, first_bold=True))
    r += ['.fi', '.SH DESCRIPTION', '.PP', esc(a.desc[0].upper() + a.desc[1:]) + '.']
    if usage_note:
        r += ['.PP', esc(usage_note)]
    r += render(desc)
    if commands and subs:
        r.append('.SH COMMANDS')
        for first, bls in commands:
            r += ['.TP', syn(first, first_bold=True)]
            body = render(bls)
            # the description's first paragraph goes with the .TP
            if body[:1] == ['.PP']:
                body = body[1:]
            opened = False
            for line in body:
                if line == '.TP' and not opened:
                    r.append('.RS')
                    opened = True
                r.append(line)
            if opened:
                r.append('.RE')
    elif commands:
        r += ['.SH COMMANDS'] + render(commands)
    if options:
        r += ['.SH OPTIONS'] + render(options)
    r += see_also(a.see_also)
    return r


def see_also(refs):
    if not refs:
        return []
    items = [f'.BR {n} ({s})' for n, s in (ref.rsplit('.', 1) for ref in refs)]
    return ['.SH "SEE ALSO"'] + [it + (',' if i < len(items) - 1 else '')
                                for i, it in enumerate(items)]


# ---- section 3: a header's doc comments ------------------------------------------

PRIVATE = re.compile(r'\b(udrv__|UDRV__)')


def comment_lines(raw):
    """The text of a /* */ or /** */ comment, without its frame."""
    body = re.sub(r'^/\*\*?', '', raw.strip())
    body = re.sub(r'\*/$', '', body)
    out = []
    for ln in body.split('\n'):
        ln = ln.rstrip()
        m = re.match(r'^\s*\* ?(.*)$', ln)
        out.append(m.group(1) if m else ln.strip())
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def parse_header(path):
    """-> (title, intro lines, [(section title, [entries])]), an entry being
    ('text', lines) or ('decl', comment lines or None, decl lines, names,
    line number). Only what is outside the header's #if blocks (its include
    guard aside) and not private (udrv__, UDRV__) is taken."""
    src = read(path).split('\n')
    n = len(src)
    depth = 0
    title = intro = None
    sections = [('', [])]
    pending = None	# a comment, until we know whether a declaration follows

    def as_text():
        nonlocal pending
        if pending:
            sections[-1][1].append(('text', pending))
        pending = None

    def decl(lines, names, lineno):
        nonlocal pending
        sections[-1][1].append(('decl', pending, lines, names, lineno))
        pending = None

    i = 0
    while i < n:
        s = src[i].strip()
        if not s:
            as_text()
            i += 1
            continue
        if s.startswith('#'):
            j = i
            while src[j].rstrip().endswith('\\'):
                j += 1
            d = s[1:].strip()
            m = re.match(r'define\s+(\w+)', d)
            if re.match(r'if', d):
                if depth <= 1:
                    as_text()
                depth += 1
            elif d.startswith('endif'):
                depth -= 1
            elif m and depth <= 1 and not PRIVATE.match(m.group(1)) and \
                    m.group(1) not in ('UDRV_H', 'UDRV_API'):
                # a public macro, with the ones right under it
                group = []
                while i < n and re.match(r'#\s*define\s+(\w+)', src[i].strip()):
                    group.append(src[i].rstrip())
                    i += 1
                decl(group, [re.match(r'#\s*define\s+(\w+)', x.strip()).group(1)
                             for x in group], j + 1)
                continue
            elif depth <= 1:
                pending = None
            i = j + 1
            continue
        if s.startswith('/*'):
            j = i
            while '*/' not in src[j]:
                j += 1
            nxt = src[j + 1].strip() if j + 1 < n else ''
            lines = comment_lines('\n'.join(src[i:j + 1]))
            if depth > 1 or s.startswith('/* SPDX'):
                pass
            elif re.fullmatch(r'/\* -+ \*/', s) and re.fullmatch(r'/\* .* \*/', nxt):
                as_text()
                sections.append((nxt[2:-2].strip(), []))
                j += 1
            elif title is None:
                title, intro = lines[0], lines[1:]
            else:
                as_text()
                first = lines[0].split()[0] if lines and lines[0].split() else ''
                pending = None if PRIVATE.match(first) else lines
            i = j + 1
            continue
        if depth > 1 or PRIVATE.match(s) or s in ('}', 'extern "C" {'):
            pending = None
            i += 1
            continue
        # a declaration: to its ';' at brace depth 0, or a function's body
        start = i + 1
        j = i
        braces = 0
        while j < n:
            braces += src[j].count('{') - src[j].count('}')
            if braces <= 0 and (src[j].rstrip().endswith(';') or
                                (src[j].rstrip().endswith('}') and '{' in ''.join(src[i:j + 1]))):
                break
            j += 1
        lines = [x.rstrip() for x in src[i:j + 1]]
        text = ' '.join(x.strip() for x in lines)
        i = j + 1
        if re.fullmatch(r'struct \w+;', text):	# an opaque type: the intro lists them
            pending = None
            continue
        m = re.match(r'(struct|enum|union)\s+(\w+)\s*\{', text)
        if m:
            names = [f'{m.group(1)} {m.group(2)}']
        elif text.startswith('typedef'):
            m = re.search(r'\(\s*\*\s*(\w+)\)\s*\(|(\w+)\s*;$', text)
            names = [m.group(1) or m.group(2)]
        else:
            m = re.search(r'(\w+)\s*\(', text.replace('UDRV_API', ''))
            names = [m.group(1) + '()'] if m else []
            if '{' in text and m:	# an inline function: its prototype
                lines = [x for x in lines[:next(k for k, x in enumerate(lines) if '{' in x) + 1]]
                lines[-1] = lines[-1].split('{')[0].rstrip() + ';'
        if names and PRIVATE.match(names[0]):
            pending = None
            continue
        decl(lines, names, start)
    as_text()
    return title, intro, sections


def strip_kdoc_name(lines, names, where):
    """'name() - text' -> 'text', checking the name is the declaration's."""
    if not lines:
        return lines
    m = re.match(r'^((?:struct |enum |union )?[A-Za-z_]\w*(?:\(\))?)\s+-\s+(.*)$', lines[0])
    if not m:
        return lines
    named = m.group(1)
    if names and named not in names and named.rstrip('()') not in [x.rstrip('()') for x in names]:
        fail(f'{where}: the comment is about {named} but declares {", ".join(names)}')
    return [m.group(2)] + lines[1:]


def header_page(a):
    title, intro, sections = parse_header(a.header)
    base = os.path.basename(a.header)
    m = re.match(r'^\S+ - (.*?)\.?$', title)
    if not m:
        fail(f'{base}: the opening comment does not start with "{base} - what it is"')
    what = re.sub('^' + re.escape(a.name) + ', ', '', m.group(1))
    r = [th(a.name, 3, a.version), '.SH NAME', f'{esc(a.name)} \\- {esc(what)}',
         '.SH SYNOPSIS', '.nf', f'.B #include <{base}>', '.PP',
         f'.B cc $(pkg\\-config \\-\\-cflags \\-\\-libs {a.pkg}) ...', '.fi',
         '.SH DESCRIPTION']
    r += render(blocks(intro), markup=code_markup, term=code_markup)
    missing = []
    for title, entries in sections:
        if not entries:
            continue
        if title:
            r.append(f'.SH "{esc(title.upper())}"')
        for e in entries:
            if e[0] == 'text':
                r += render(blocks(e[1]), markup=code_markup, term=code_markup)
                continue
            _, comment, decl, names, lineno = e
            where = f'{base}:{lineno}'
            if comment is None and any(x.endswith('()') for x in names):
                missing.append(f'{where}: {names[0]} has no doc comment')
            bold = any(x.endswith('()') for x in names) or decl[0].startswith('typedef')
            r += ['.PP', '.nf']
            api = decl[0].startswith('UDRV_API ')
            for d in decl:
                d = d.expandtabs(8)
                if api:		# the continuation lines were aligned under it
                    d = re.sub('^UDRV_API |^ {9}', '', d)
                d = re.sub(r'\s*__attribute__\(\(.*\)\)', '', d)
                r.append('\\fB' + esc(d) + '\\fR' if bold else esc(d))
            r.append('.fi')
            if comment:
                body = render(blocks(strip_kdoc_name(comment, names, where)),
                              markup=code_markup, term=code_markup)
                if body[:1] == ['.PP']:
                    body = body[1:]
                r += ['.RS'] + body + ['.RE']
    if missing:
        fail(missing[0] + (f' (and {len(missing) - 1} more)' if len(missing) > 1 else ''))
    r += see_also(a.see_also)
    return r


# ---- check -------------------------------------------------------------------

def deroff(page):
    """The words a page shows: requests' arguments and text, unescaped."""
    words = []
    for line in page.split('\n'):
        if line.startswith(('.TH', '.SH', '.SS', '.\\"')):
            continue
        if line.startswith('.'):
            parts = line.split(None, 1)
            line = parts[1] if len(parts) > 1 and parts[0] in ('.B', '.I', '.BR', '.IR') else ''
        line = re.sub(r'\\f[BIRP]', '', line)
        line = line.replace('\\&', '').replace('\\-', '-').replace('\\(aq', "'")
        line = line.replace('\\(ga', '`').replace('\\e', '\\').replace('\\(bu', '')
        words += line.split()
    return words


def check(a):
    page = read(a.page)
    words = collections.Counter(deroff(page))
    name = os.path.basename(a.page)
    for path in a.texts:
        text = read(path)
        if path.endswith('.h'):
            # every exported function is declared in the page
            for fn in re.findall(r'^UDRV_API\s[^;(]*?\b(\w+)\s*\(', text, re.M):
                if PRIVATE.match(fn):
                    continue
                if not re.search(r'\\fB[^\n]*\b' + fn + r'\(', page):
                    fail(f'{name}: {fn}() of {os.path.basename(path)} is not in the page')
            continue
        # headings ("options:") become the page's sections
        heads = {b['text'] + ':' for b in blocks(text.split('\n')) if b['kind'] == 'heading'}
        for n, line in enumerate(text.split('\n'), 1):
            if line.strip() in heads:
                continue
            for w in line.split():
                if w == 'usage:':
                    continue
                if words[w] < 1:
                    fail(f'{name}: "{w}" of line {n} of {os.path.basename(path)} '
                         f'("{line.strip()}") is missing from the page')
                words[w] -= 1
    groff = shutil.which('groff')
    if groff:
        p = subprocess.run([groff, '-man', '-Tutf8', '-ww', '-z', a.page],
                           capture_output=True, text=True)
        if p.returncode or p.stderr.strip():
            fail(f'{name}: groff: {p.stderr.strip().splitlines()[0] if p.stderr.strip() else "failed"}')
    lexgrog = shutil.which('lexgrog')
    if lexgrog:
        p = subprocess.run([lexgrog, a.page], capture_output=True, text=True)
        if p.returncode:
            fail(f'{name}: lexgrog finds no NAME line: {p.stdout.strip() or p.stderr.strip()}')


def main():
    ap = argparse.ArgumentParser(prog=PROG)
    sp = ap.add_subparsers(dest='mode', required=True)
    c = sp.add_parser('cli')
    c.add_argument('--name', required=True)
    c.add_argument('--desc', required=True)
    c.add_argument('--version', required=True)
    c.add_argument('--command', action='append', default=[])
    c.add_argument('--see-also', action='append', default=[])
    c.add_argument('-o', dest='out', required=True)
    c.add_argument('help')
    c.add_argument('subhelp', nargs='*')
    h = sp.add_parser('header')
    h.add_argument('--name', required=True)
    h.add_argument('--pkg', required=True)
    h.add_argument('--version', required=True)
    h.add_argument('--see-also', action='append', default=[])
    h.add_argument('-o', dest='out', required=True)
    h.add_argument('header')
    k = sp.add_parser('check')
    k.add_argument('page')
    k.add_argument('texts', nargs='+')
    a = ap.parse_args()
    if a.mode == 'check':
        check(a)
        return
    lines = cli_page(a) if a.mode == 'cli' else header_page(a)
    with open(a.out, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
