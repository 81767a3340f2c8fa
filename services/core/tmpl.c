/* tmpl.c — the Mustache subset of tmpl.h.
 *
 * Compiling walks the source once, keeping a small HTML tokenizer state
 * (the literal text between tags fed through it) so that each variable
 * tag's escaping is fixed by where it stands, never by what it renders.
 * Partials are inlined into the tree with the tokenizer state of the place
 * that includes them, so a partial is escaped for where it is used. A
 * section may render zero or many times, so its body must leave the HTML
 * context as it found it; otherwise a later tag would be escaped for a
 * context that is not the one it ends up in. */
#include "core/tmpl.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds that keep a template (or a fuzzed one) from blowing up: partials
 * inlined many times over, or nested sections over arrays. */
#define MAX_NODES 100000
#define MAX_SOURCE (4u << 20)
#define MAX_OUTPUT (8u << 20)
#define MAX_STEPS 1000000
#define NAME_MAX_LEN 128

enum ntype { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_RAW };

/* How a variable's text is written. */
enum esc {
    ESC_TEXT,      /* text mode: control characters but \n \t dropped */
    ESC_SUBJECT,   /* header: every control character dropped */
    ESC_HTML,      /* HTML text or quoted attribute value */
    ESC_URL_START, /* the start of a URL attribute value: scheme checked */
    ESC_URL_PART,  /* later in a URL attribute value: percent-encoded */
};

struct node;

struct list {
    struct node *v;
    size_t n, cap;
};

struct node {
    enum ntype type;
    enum esc esc;
    char *text; /* N_TEXT: the literal; otherwise the name */
    size_t len;
    struct list kids; /* sections */
};

struct tmpl {
    char *name;
    struct list root;
};

/* ---- the HTML tokenizer state ------------------------------------------ */

enum hst {
    H_DATA,
    H_TAG_OPEN,    /* after '<' */
    H_END_OPEN,    /* after "</" */
    H_MARKUP,      /* after "<!" */
    H_MARKUP_DASH, /* after "<!-" */
    H_COMMENT,
    H_DECL, /* <!doctype …>, <?…>, bogus comments: up to '>' */
    H_TAG_NAME,
    H_IN_TAG,
    H_ATTR_NAME,
    H_AFTER_ATTR_NAME,
    H_BEFORE_VALUE,
    H_VALUE_Q,
    H_VALUE_UNQ,
    H_RAW, /* the text of <script>, <style> and the like */
};

enum attr { A_PLAIN, A_URL, A_BAD };

struct html {
    enum hst st;
    enum attr attr;
    char quote;
    bool started; /* a URL value has had text already */
    bool end_tag;
    bool split;     /* an attribute name ended at a section tag */
    bool name_long; /* the attribute name did not fit in name[] */
    int dashes;     /* '-' run in a comment */
    bool bang;      /* "--!" just read in a comment: '>' ends it too */
    size_t clen;    /* bytes of the comment so far */
    size_t raw_match;
    char tag[16], name[24];
    size_t tag_len, name_len;
};

struct compiler {
    enum tmpl_mode mode;
    tmpl_partial_fn partial;
    void *arg;
    char *err;
    size_t errlen;
    size_t nodes, source;
    struct html h;
};

/* One source being parsed: the template or one of its partials. */
struct src {
    const char *name, *s;
    size_t len, pos;
};

static void fail_at(struct compiler *c, const struct src *s, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail_at(struct compiler *c, const struct src *s, size_t at, const char *fmt, ...)
{
    if (c->err == NULL || c->errlen == 0 || c->err[0] != '\0')
        return; /* the innermost error is the one to report */
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < s->len; i++) {
        if (s->s[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    int n = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", s->name, line, col);
    if (n < 0 || (size_t)n >= c->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f';
}

static bool is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* Elements whose content is not markup, so an escaped value is no defence
 * there (script, style) or whose content is not HTML at all. */
static bool raw_tag(const char *t)
{
    static const char *const raw[] = {"script",  "style",    "xmp",       "iframe",
                                      "noembed", "noframes", "plaintext", "textarea"};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        if (strcmp(t, raw[i]) == 0)
            return strcmp(t, "textarea") != 0; /* RCDATA: entities work there */
    return false;
}

static enum attr attr_class(const char *n)
{
    static const char *const urls[] = {"href",     "src",      "action",     "formaction",
                                       "cite",     "poster",   "background", "xlink:href",
                                       "longdesc", "manifest", "data",       "codebase"};
    /* event handlers and style hold script and CSS, srcset, imagesrcset
     * and ping lists of URLs (only the first would have its scheme
     * checked), srcdoc a whole document and content a meta refresh's URL:
     * no escaping makes a value safe there */
    static const char *const bad[] = {"style", "srcset", "imagesrcset",
                                      "ping",  "srcdoc", "content"};
    if (n[0] == 'o' && n[1] == 'n')
        return A_BAD;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strcmp(n, bad[i]) == 0)
            return A_BAD;
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
        if (strcmp(n, urls[i]) == 0)
            return A_URL;
    return A_PLAIN;
}

static void tag_end(struct html *h)
{
    h->tag[h->tag_len] = '\0';
    if (!h->end_tag && raw_tag(h->tag)) {
        h->st = H_RAW;
        h->raw_match = 0;
    } else {
        h->st = H_DATA;
    }
}

static void attr_start(struct html *h, char ch)
{
    h->st = H_ATTR_NAME;
    h->name_len = 0;
    h->name_long = false;
    h->name[h->name_len++] = lower(ch);
}

static void attr_named(struct html *h)
{
    h->name[h->name_len] = '\0';
    /* a name too long for name[] is none we know, but may be an event
     * handler's (onwebkitanimationiteration): never plain */
    h->attr = h->name_long ? A_BAD : attr_class(h->name);
}

/* Feeds one literal byte; false (with *why) when the markup is one the
 * escaping cannot follow. */
static bool html_feed(struct html *h, char ch, const char **why)
{
    switch (h->st) {
    case H_DATA:
        if (ch == '<')
            h->st = H_TAG_OPEN;
        break;
    case H_TAG_OPEN:
        if (is_alpha(ch)) {
            h->st = H_TAG_NAME;
            h->end_tag = false;
            h->tag_len = 0;
            h->tag[h->tag_len++] = lower(ch);
        } else if (ch == '/') {
            h->st = H_END_OPEN;
        } else if (ch == '!') {
            h->st = H_MARKUP;
        } else if (ch == '?') {
            h->st = H_DECL;
        } else {
            h->st = ch == '<' ? H_TAG_OPEN : H_DATA; /* "a < b" is text */
        }
        break;
    case H_END_OPEN:
        if (is_alpha(ch)) {
            h->st = H_TAG_NAME;
            h->end_tag = true;
            h->tag_len = 0;
            h->tag[h->tag_len++] = lower(ch);
        } else {
            h->st = ch == '>' ? H_DATA : H_DECL;
        }
        break;
    case H_MARKUP:
        h->st = ch == '-' ? H_MARKUP_DASH : ch == '>' ? H_DATA : H_DECL;
        break;
    case H_MARKUP_DASH:
        if (ch == '-') {
            /* "<!--" counts as the two dashes of an end: "<!-->" and
             * "<!--->" end the comment in HTML */
            h->st = H_COMMENT;
            h->dashes = 2;
            h->bang = false;
            h->clen = 0;
        } else {
            h->st = ch == '>' ? H_DATA : H_DECL;
        }
        break;
    case H_COMMENT:
        /* "-->" ends it, and so does "--!>" (but not "<!--!>": there the
         * dashes are the opening's) */
        if (ch == '>' && (h->dashes >= 2 || h->bang))
            h->st = H_DATA;
        h->bang = ch == '!' && h->dashes >= 2 && h->clen > 0;
        h->dashes = ch == '-' ? h->dashes + 1 : 0;
        h->clen++;
        break;
    case H_DECL:
        if (ch == '>')
            h->st = H_DATA;
        break;
    case H_TAG_NAME:
        if (is_space(ch) || ch == '/') {
            h->tag[h->tag_len] = '\0';
            h->st = H_IN_TAG;
        } else if (ch == '>') {
            tag_end(h);
        } else if (h->tag_len + 1 < sizeof h->tag) {
            h->tag[h->tag_len++] = lower(ch);
        }
        break;
    case H_AFTER_ATTR_NAME:
        if (h->split && !is_space(ch) && ch != '=' && ch != '>' && ch != '/') {
            *why = "a tag or attribute name is split by a section tag";
            return false;
        }
        h->split = false;
        if (ch == '=') {
            h->st = H_BEFORE_VALUE;
        } else if (ch == '>') {
            tag_end(h);
        } else if (ch == '/') {
            h->st = H_IN_TAG;
        } else if (!is_space(ch)) {
            attr_start(h, ch);
        }
        break;
    case H_IN_TAG:
        if (h->split && !is_space(ch) && ch != '>' && ch != '/') {
            *why = "a tag or attribute name is split by a section tag";
            return false;
        }
        h->split = false;
        if (ch == '>')
            tag_end(h);
        else if (!is_space(ch) && ch != '/')
            attr_start(h, ch);
        break;
    case H_ATTR_NAME:
        if (is_space(ch)) {
            attr_named(h);
            h->st = H_AFTER_ATTR_NAME;
        } else if (ch == '=') {
            attr_named(h);
            h->st = H_BEFORE_VALUE;
        } else if (ch == '>') {
            tag_end(h);
        } else if (ch == '/') {
            h->st = H_IN_TAG;
        } else if (h->name_len + 1 < sizeof h->name) {
            h->name[h->name_len++] = lower(ch);
        } else {
            h->name_long = true; /* attr_named: A_BAD */
        }
        break;
    case H_BEFORE_VALUE:
        if (ch == '"' || ch == '\'') {
            h->st = H_VALUE_Q;
            h->quote = ch;
            h->started = false;
        } else if (ch == '>') {
            tag_end(h);
        } else if (!is_space(ch)) {
            h->st = H_VALUE_UNQ;
        }
        break;
    case H_VALUE_Q:
        if (ch == h->quote)
            h->st = H_IN_TAG;
        else if (!is_space(ch))
            h->started = true;
        break;
    case H_VALUE_UNQ:
        if (is_space(ch))
            h->st = H_IN_TAG;
        else if (ch == '>')
            tag_end(h);
        break;
    case H_RAW: {
        /* looks for "</" + the element's name, in any case */
        size_t want = 2 + strlen(h->tag);
        char exp = h->raw_match == 0 ? '<' : h->raw_match == 1 ? '/' : h->tag[h->raw_match - 2];
        if (lower(ch) == exp)
            h->raw_match++;
        else
            h->raw_match = ch == '<' ? 1 : 0;
        if (h->raw_match == want) {
            h->st = H_IN_TAG;
            h->end_tag = true;
        }
        break;
    }
    }
    return true;
}

/* The escaping of a variable tag here, or false with *why. */
static bool html_var(const struct html *h, enum esc *esc, const char **why)
{
    switch (h->st) {
    case H_DATA:
        *esc = ESC_HTML;
        return true;
    case H_VALUE_Q:
        if (h->attr == A_BAD) {
            *why = "a tag inside an event handler, style, srcset or another attribute no "
                   "escaping makes safe";
            return false;
        }
        *esc = h->attr == A_URL ? (h->started ? ESC_URL_PART : ESC_URL_START) : ESC_HTML;
        return true;
    case H_RAW:
        *why = "a tag inside <script>, <style> or another raw text element";
        return false;
    case H_COMMENT:
    case H_MARKUP_DASH:
        *why = "a tag inside an HTML comment";
        return false;
    case H_BEFORE_VALUE:
    case H_VALUE_UNQ:
        *why = "a tag in an unquoted attribute value";
        return false;
    default:
        *why = "a tag inside an HTML tag, outside a quoted attribute value";
        return false;
    }
}

/* Where a section tag may stand: its body is markup between attributes,
 * text or a quoted value, never half a name. */
static bool html_section(struct html *h, const char **why)
{
    switch (h->st) {
    case H_TAG_NAME:
        h->tag[h->tag_len] = '\0';
        h->st = H_IN_TAG;
        h->split = true;
        return true;
    case H_ATTR_NAME:
        attr_named(h);
        h->st = H_AFTER_ATTR_NAME;
        h->split = true;
        return true;
    case H_AFTER_ATTR_NAME:
        h->split = true;
        return true;
    case H_DATA:
    case H_IN_TAG:
    case H_VALUE_Q:
    case H_RAW:
    case H_COMMENT:
    case H_DECL:
        return true;
    default:
        *why = "a section tag inside a tag name or an unquoted attribute value";
        return false;
    }
}

/* The two states a section's body may leave (rendered or not) are one. */
static bool html_same(const struct html *a, const struct html *b)
{
    enum hst sa = a->st == H_AFTER_ATTR_NAME ? H_IN_TAG : a->st;
    enum hst sb = b->st == H_AFTER_ATTR_NAME ? H_IN_TAG : b->st;
    if (sa != sb)
        return false;
    if (sa == H_VALUE_Q && (a->quote != b->quote || a->attr != b->attr))
        return false;
    /* half an end tag ("</scrip") or half a comment's end ("--") read in
     * the body would be finished by what follows only when it renders */
    if (sa == H_RAW && (strcmp(a->tag, b->tag) != 0 || a->raw_match != b->raw_match))
        return false;
    if (sa == H_COMMENT &&
        (a->dashes != b->dashes || a->bang != b->bang || (a->clen > 0) != (b->clen > 0)))
        return false;
    return true;
}

/* ---- the tree -------------------------------------------------------------- */

static void list_free(struct list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].text);
        list_free(&l->v[i].kids);
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static struct node *list_add(struct compiler *c, struct list *l, const struct src *s, size_t at)
{
    if (++c->nodes > MAX_NODES) {
        fail_at(c, s, at, "template too large (more than %d nodes with its partials)", MAX_NODES);
        return NULL;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        struct node *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            fail_at(c, s, at, "out of memory");
            return NULL;
        }
        l->v = v;
        l->cap = cap;
    }
    struct node *n = &l->v[l->n++];
    memset(n, 0, sizeof *n);
    return n;
}

static bool add_text(struct compiler *c, struct list *l, const struct src *s, size_t from,
                     size_t to)
{
    if (to <= from)
        return true;
    if (c->mode == TMPL_HTML) {
        for (size_t i = from; i < to; i++) {
            const char *why = NULL;
            if (!html_feed(&c->h, s->s[i], &why)) {
                fail_at(c, s, i, "%s", why);
                return false;
            }
        }
    }
    /* adjacent literals (around a comment, a partial) make one node */
    if (l->n > 0 && l->v[l->n - 1].type == N_TEXT) {
        struct node *last = &l->v[l->n - 1];
        char *t = realloc(last->text, last->len + (to - from) + 1);
        if (t == NULL) {
            fail_at(c, s, from, "out of memory");
            return false;
        }
        memcpy(t + last->len, s->s + from, to - from);
        last->len += to - from;
        t[last->len] = '\0';
        last->text = t;
        return true;
    }
    struct node *n = list_add(c, l, s, from);
    if (n == NULL)
        return false;
    n->type = N_TEXT;
    n->len = to - from;
    n->text = malloc(n->len + 1);
    if (n->text == NULL) {
        fail_at(c, s, from, "out of memory");
        return false;
    }
    memcpy(n->text, s->s + from, n->len);
    n->text[n->len] = '\0';
    return true;
}

/* A name: "." or dot-separated segments of [A-Za-z0-9_-]. */
static bool name_ok(const char *p, size_t n, bool partial)
{
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    if (n == 1 && p[0] == '.')
        return !partial;
    bool seg = false;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '.') {
            if (!seg && !partial)
                return false;
            seg = false;
        } else if (is_alpha(ch) || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-') {
            seg = true;
        } else {
            return false;
        }
    }
    return seg || partial;
}

static bool parse(struct compiler *c, struct src *s, struct list *into, int depth,
                  const char *closing, size_t closing_len, size_t open_at);

static bool include(struct compiler *c, const struct src *s, size_t at, const char *name,
                    struct list *into, int depth)
{
    if (depth >= TMPL_MAX_DEPTH) {
        fail_at(c, s, at,
                "partials and sections nested deeper than %d (a partial including "
                "itself?)",
                TMPL_MAX_DEPTH);
        return false;
    }
    size_t len = 0;
    const char *file = NULL;
    const char *text = c->partial ? c->partial(c->arg, name, &len, &file) : NULL;
    if (text == NULL) {
        fail_at(c, s, at, "unknown partial \"%s\"", name);
        return false;
    }
    if (len > MAX_SOURCE || (c->source += len) > MAX_SOURCE) {
        fail_at(c, s, at, "template too large with its partials");
        return false;
    }
    struct src sub = {file ? file : name, text, len, 0};
    if (!parse(c, &sub, into, depth + 1, NULL, 0, 0)) {
        fail_at(c, s, at, "in partial \"%s\"", name);
        return false;
    }
    return true;
}

/* Parses s from s->pos into `into` up to {{/closing}} (or the end when
 * closing is NULL). */
/* {{{name}}} at s->s + at: trusted HTML from the render's raw object,
 * written as it is. Only in HTML text (between tags), where a whole
 * fragment can stand; the literal before it is flushed, *lit moves past
 * it. */
static bool raw_tag_add(struct compiler *c, struct src *s, struct list *into, size_t *lit,
                        size_t at)
{
    size_t p = at + 3, end = p;
    while (end + 2 < s->len && !(s->s[end] == '}' && s->s[end + 1] == '}' && s->s[end + 2] == '}'))
        end++;
    if (end + 2 >= s->len) {
        fail_at(c, s, at, "unclosed tag");
        return false;
    }
    size_t nb = p, ne = end;
    while (nb < ne && is_space(s->s[nb]))
        nb++;
    while (ne > nb && is_space(s->s[ne - 1]))
        ne--;
    if (!name_ok(s->s + nb, ne - nb, false) || (ne - nb == 1 && s->s[nb] == '.')) {
        fail_at(c, s, at, "bad tag name \"%.*s\"", (int)(end - p > 40 ? 40 : end - p), s->s + p);
        return false;
    }
    if (!add_text(c, into, s, *lit, at))
        return false;
    if (c->h.st != H_DATA) {
        fail_at(c, s, at, "raw output ({{{ }}}) outside HTML text");
        return false;
    }
    struct node *n = list_add(c, into, s, at);
    if (n == NULL)
        return false;
    n->type = N_RAW;
    n->len = ne - nb;
    if ((n->text = strndup(s->s + nb, ne - nb)) == NULL) {
        fail_at(c, s, at, "out of memory");
        return false;
    }
    s->pos = end + 3;
    *lit = s->pos;
    return true;
}

static bool parse(struct compiler *c, struct src *s, struct list *into, int depth,
                  const char *closing, size_t closing_len, size_t open_at)
{
    size_t lit = s->pos; /* start of the pending literal */
    while (s->pos < s->len) {
        const char *open = NULL;
        for (size_t i = s->pos; i + 1 < s->len; i++)
            if (s->s[i] == '{' && s->s[i + 1] == '{') {
                open = s->s + i;
                break;
            }
        if (open == NULL)
            break;
        size_t at = (size_t)(open - s->s), p = at + 2;
        char kind = p < s->len ? s->s[p] : '\0';
        if (kind == '&' || (kind == '{' && c->mode != TMPL_HTML)) {
            fail_at(c, s, at, "unescaped output ({{{ }}} or {{& }}) is not allowed");
            return false;
        }
        if (kind == '{') {
            if (!raw_tag_add(c, s, into, &lit, at))
                return false;
            continue;
        }
        if (kind == '=') {
            fail_at(c, s, at, "changing the delimiters is not supported");
            return false;
        }
        bool sigil = kind == '#' || kind == '^' || kind == '/' || kind == '>' || kind == '!';
        if (sigil)
            p++;
        /* the tag's end */
        size_t end = p;
        while (end + 1 < s->len && !(s->s[end] == '}' && s->s[end + 1] == '}'))
            end++;
        if (end + 1 >= s->len) {
            fail_at(c, s, at, "unclosed tag");
            return false;
        }
        size_t after = end + 2;
        size_t nb = p, ne = end;
        while (nb < ne && is_space(s->s[nb]))
            nb++;
        while (ne > nb && is_space(s->s[ne - 1]))
            ne--;
        if (kind != '!' && !name_ok(s->s + nb, ne - nb, kind == '>')) {
            fail_at(c, s, at, "bad tag name \"%.*s\"", (int)(end - p > 40 ? 40 : end - p),
                    s->s + p);
            return false;
        }

        /* A standalone section, partial or comment tag takes its line. */
        size_t text_end = at;
        if (sigil) {
            size_t b = at;
            while (b > 0 && (s->s[b - 1] == ' ' || s->s[b - 1] == '\t'))
                b--;
            size_t a = after;
            while (a < s->len && (s->s[a] == ' ' || s->s[a] == '\t'))
                a++;
            bool line_start = b == 0 || s->s[b - 1] == '\n';
            bool line_end = a == s->len || s->s[a] == '\n' ||
                            (s->s[a] == '\r' && a + 1 < s->len && s->s[a + 1] == '\n');
            if (line_start && line_end && b >= lit) {
                text_end = b;
                after = a == s->len ? a : s->s[a] == '\r' ? a + 2 : a + 1;
            }
        }
        if (!add_text(c, into, s, lit, text_end))
            return false;
        s->pos = after;
        lit = after;

        const char *why = NULL;
        char name[NAME_MAX_LEN + 1];
        size_t nlen = ne - nb;
        if (kind != '!') {
            memcpy(name, s->s + nb, nlen);
            name[nlen] = '\0';
        }
        switch (kind) {
        case '!':
            break;
        case '/':
            if (closing == NULL || nlen != closing_len || memcmp(name, closing, nlen) != 0) {
                fail_at(c, s, at, "{{/%s}} closes no open section", name);
                return false;
            }
            return true;
        case '>':
            if (!include(c, s, at, name, into, depth))
                return false;
            break;
        case '#':
        case '^': {
            if (depth >= TMPL_MAX_DEPTH) {
                fail_at(c, s, at, "sections and partials nested deeper than %d", TMPL_MAX_DEPTH);
                return false;
            }
            if (c->mode == TMPL_HTML && !html_section(&c->h, &why)) {
                fail_at(c, s, at, "%s", why);
                return false;
            }
            struct html before = c->h;
            struct node *n = list_add(c, into, s, at);
            if (n == NULL)
                return false;
            n->type = kind == '#' ? N_SECTION : N_INVERTED;
            n->len = nlen;
            if ((n->text = strdup(name)) == NULL) {
                fail_at(c, s, at, "out of memory");
                return false;
            }
            /* n may move when `into` grows, but nothing adds to `into`
             * while its body is parsed */
            if (!parse(c, s, &n->kids, depth + 1, n->text, nlen, at))
                return false;
            lit = s->pos;
            if (c->mode == TMPL_HTML) {
                const char *w2 = NULL;
                if (!html_section(&c->h, &w2)) {
                    fail_at(c, s, s->pos, "%s", w2);
                    return false;
                }
                if (!html_same(&before, &c->h)) {
                    fail_at(c, s, at,
                            "section \"%s\" ends in another HTML context than it starts in", name);
                    return false;
                }
                /* rendered zero times, a URL value may still be at its start */
                c->h.started = before.started && c->h.started;
            }
            break;
        }
        default: {
            enum esc esc = c->mode == TMPL_TEXT ? ESC_TEXT : ESC_SUBJECT;
            if (c->mode == TMPL_HTML && !html_var(&c->h, &esc, &why)) {
                fail_at(c, s, at, "%s", why);
                return false;
            }
            if (c->mode == TMPL_HTML && c->h.st == H_VALUE_Q)
                c->h.started = true;
            struct node *n = list_add(c, into, s, at);
            if (n == NULL)
                return false;
            n->type = N_VAR;
            n->esc = esc;
            n->len = nlen;
            if ((n->text = strdup(name)) == NULL) {
                fail_at(c, s, at, "out of memory");
                return false;
            }
            break;
        }
        }
    }
    if (closing != NULL) {
        fail_at(c, s, open_at, "section \"%s\" is never closed", closing);
        return false;
    }
    s->pos = s->len;
    return add_text(c, into, s, lit, s->len);
}

struct tmpl *tmpl_compile(const char *name, const char *src, size_t len, enum tmpl_mode mode,
                          tmpl_partial_fn partial, void *arg, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    struct compiler c = {
        .mode = mode, .partial = partial, .arg = arg, .err = err, .errlen = errlen, .source = len};
    c.h.st = H_DATA;
    struct tmpl *t = calloc(1, sizeof *t);
    if (t == NULL || (t->name = strdup(name ? name : "template")) == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: out of memory", name ? name : "template");
        free(t);
        return NULL;
    }
    struct src s = {t->name, src ? src : "", src ? len : 0, 0};
    if (len > MAX_SOURCE) {
        fail_at(&c, &s, 0, "template too large");
        tmpl_free(t);
        return NULL;
    }
    if (!parse(&c, &s, &t->root, 0, NULL, 0, 0)) {
        fail_at(&c, &s, s.pos, "cannot compile");
        tmpl_free(t);
        return NULL;
    }
    return t;
}

const char *tmpl_name(const struct tmpl *t)
{
    return t->name;
}

void tmpl_free(struct tmpl *t)
{
    if (t == NULL)
        return;
    list_free(&t->root);
    free(t->name);
    free(t);
}

/* ---- rendering ------------------------------------------------------------- */

struct out {
    char *p;
    size_t len, cap;
    bool failed;
    const char *why;
};

struct renderer {
    struct out o;
    const json_t *raw; /* the trusted fragments of {{{name}}} */
    const json_t *stack[TMPL_MAX_DEPTH + 2];
    size_t depth;
    size_t steps;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n + 1 > MAX_OUTPUT) {
        o->failed = true;
        o->why = "output too large";
        return;
    }
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 1024;
        while (o->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(o->p, cap);
        if (p == NULL) {
            o->failed = true;
            o->why = "out of memory";
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

/* The value of a dotted name: its first segment found by walking the
 * stack from the top, the rest inside that value only (Mustache's rule, so
 * {{a.b}} never picks a b from an outer context). */
static const json_t *lookup(const struct renderer *r, const char *name)
{
    if (strcmp(name, ".") == 0)
        return r->stack[r->depth - 1];
    const char *dot = strchr(name, '.');
    size_t first = dot ? (size_t)(dot - name) : strlen(name);
    const json_t *v = NULL;
    for (size_t i = r->depth; i-- > 0;) {
        const json_t *o = r->stack[i];
        if (!json_is_object(o))
            continue;
        v = json_object_getn(o, name, first);
        if (v != NULL)
            break;
    }
    while (v != NULL && dot != NULL) {
        const char *seg = dot + 1;
        dot = strchr(seg, '.');
        size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
        v = json_is_object(v) ? json_object_getn(v, seg, n) : NULL;
    }
    return v;
}

static bool truthy(const json_t *v)
{
    if (v == NULL || json_is_null(v) || json_is_false(v))
        return false;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    return true;
}

/* A number as JSON writes it: integers plain, reals in the fewest digits
 * that read back the same. */
static size_t number_text(const json_t *v, char *buf, size_t size)
{
    if (json_is_integer(v))
        return (size_t)snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    double d = json_real_value(v);
    if (!isfinite(d))
        return 0;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    return strlen(buf);
}

static void put_html(struct out *o, const char *s, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = NULL;
        switch (s[i]) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        default:
            continue;
        }
        put(o, s + from, i - from);
        put(o, e, strlen(e));
        from = i + 1;
    }
    put(o, s + from, n - from);
}

/* Control characters dropped: C0 but \n and \t (unless subject), DEL and
 * the C1 block (U+0080–U+009F, "\xC2\x80"–"\xC2\x9F", which holds NEL). */
static void put_plain(struct out *o, const char *s, size_t n, bool subject)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        size_t skip = 0;
        if (ch < 0x20 || ch == 0x7f)
            skip = (!subject && (ch == '\n' || ch == '\t')) ? 0 : 1;
        else if (ch == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                 (unsigned char)s[i + 1] <= 0x9F)
            skip = 2;
        if (skip == 0)
            continue;
        put(o, s + from, i - from);
        i += skip - 1;
        from = i + 1;
    }
    put(o, s + from, n - from);
}

/* Whether s starts with prefix (lower case) in any case. */
static bool starts_nocase(const char *s, const char *prefix, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (lower(s[i]) != prefix[i])
            return false;
    return true;
}

static bool url_safe(const char *s, size_t n)
{
    while (n > 0 && is_space(*s)) {
        s++;
        n--;
    }
    static const char *const schemes[] = {"http://", "https://", "mailto:"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t k = strlen(schemes[i]);
        if (n >= k && starts_nocase(s, schemes[i], k))
            return true;
    }
    if (n >= 1 && s[0] == '/') {
        /* "//host" (or "/\\host", or with a tab or newline between, which
         * browsers strip from URLs) would be another site */
        size_t i = 1;
        while (i < n && (s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            i++;
        return !(i < n && (s[i] == '/' || s[i] == '\\'));
    }
    return n >= 1 && s[0] == '?';
}

static void put_url_part(struct out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (is_alpha((char)ch) || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
            ch == '~') {
            put(o, (const char *)&s[i], 1);
        } else {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            put(o, e, 3);
        }
    }
}

static void put_value(struct out *o, enum esc esc, const json_t *v)
{
    char num[64];
    const char *s;
    size_t n;
    if (json_is_string(v)) {
        s = json_string_value(v);
        n = strlen(s); /* a \u0000 ends the text, as it would in C */
    } else if (json_is_number(v)) {
        n = number_text(v, num, sizeof num);
        s = num;
    } else if (json_is_true(v)) {
        s = "true";
        n = 4;
    } else if (json_is_false(v)) {
        s = "false";
        n = 5;
    } else {
        return; /* null, missing, objects and arrays: nothing */
    }
    switch (esc) {
    case ESC_TEXT:
        put_plain(o, s, n, false);
        break;
    case ESC_SUBJECT:
        put_plain(o, s, n, true);
        break;
    case ESC_HTML:
        put_html(o, s, n);
        break;
    case ESC_URL_START:
        if (url_safe(s, n))
            put_html(o, s, n);
        else
            put(o, "#", 1);
        break;
    case ESC_URL_PART:
        put_url_part(o, s, n);
        break;
    }
}

static void render_list(struct renderer *r, const struct list *l);

static void render_with(struct renderer *r, const struct list *kids, const json_t *v)
{
    if (r->depth >= sizeof r->stack / sizeof r->stack[0]) {
        r->o.failed = true; /* cannot happen: compile bounds the nesting */
        r->o.why = "nested too deep";
        return;
    }
    r->stack[r->depth++] = v;
    render_list(r, kids);
    r->depth--;
}

static void render_list(struct renderer *r, const struct list *l)
{
    for (size_t i = 0; i < l->n && !r->o.failed; i++) {
        const struct node *n = &l->v[i];
        if (++r->steps > MAX_STEPS) {
            r->o.failed = true;
            r->o.why = "too much work (sections over large arrays)";
            return;
        }
        switch (n->type) {
        case N_TEXT:
            put(&r->o, n->text, n->len);
            break;
        case N_VAR:
            put_value(&r->o, n->esc, lookup(r, n->text));
            break;
        case N_SECTION: {
            const json_t *v = lookup(r, n->text);
            if (!truthy(v))
                break;
            if (json_is_array(v)) {
                size_t k;
                const json_t *e;
                json_array_foreach(v, k, e) {
                    if (r->o.failed)
                        break;
                    render_with(r, &n->kids, e);
                }
            } else {
                render_with(r, &n->kids, v);
            }
            break;
        }
        case N_INVERTED:
            if (!truthy(lookup(r, n->text)))
                render_list(r, &n->kids);
            break;
        case N_RAW: {
            /* looked up in raw alone, never in the data a user may fill */
            const json_t *v = r->raw;
            const char *seg = n->text;
            while (v != NULL && seg != NULL) {
                const char *dot = strchr(seg, '.');
                size_t k = dot ? (size_t)(dot - seg) : strlen(seg);
                v = json_is_object(v) ? json_object_getn(v, seg, k) : NULL;
                seg = dot ? dot + 1 : NULL;
            }
            if (json_is_string(v))
                put(&r->o, json_string_value(v), json_string_length(v));
            break;
        }
        }
    }
}

bool tmpl_render(const struct tmpl *t, const json_t *ctx, char **out, size_t *len, char *err,
                 size_t errlen)
{
    return tmpl_render_raw(t, ctx, NULL, out, len, err, errlen);
}

bool tmpl_render_raw(const struct tmpl *t, const json_t *ctx, const json_t *raw, char **out,
                     size_t *len, char *err, size_t errlen)
{
    struct renderer r = {0};
    r.raw = raw;
    *out = NULL;
    if (len != NULL)
        *len = 0;
    r.stack[r.depth++] = ctx;
    put(&r.o, "", 0); /* an empty result is "" rather than NULL */
    render_list(&r, &t->root);
    if (r.o.failed) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: %s", t->name, r.o.why);
        free(r.o.p);
        return false;
    }
    *out = r.o.p;
    if (len != NULL)
        *len = r.o.len;
    return true;
}
