/* tmpl.h — a logic-less Mustache subset over jansson values, for mail and
 * the pages (core/page.h): compiled once into a node tree, rendered many times.
 *
 * Tags: {{name}} and dotted {{a.b}} (a missing name renders nothing),
 * {{.}} the current element, {{#x}}…{{/x}} (false, null, missing, "" and []
 * render nothing; an array renders once per element, anything else once,
 * the value pushed on the context stack), {{^x}}…{{/x}} inverted,
 * {{>name}} a partial (resolved and inlined at compile time), {{! comment}}.
 * A section, partial or comment tag alone on its line takes the line with it.
 * {{{name}}} (HTML mode, in HTML text only: between tags, never in a tag,
 * an attribute, a comment or <script>/<style>) writes a trusted fragment
 * as it is: looked up only in the raw object given to tmpl_render_raw
 * (dotted names inside it), never in the data; an unknown or non-string
 * key renders nothing (and so does every {{{x}}} under tmpl_render).
 * It is for HTML gessd itself made (cmark's safe output, an SVG chart),
 * never for user text. {{&x}}, {{{x}}} in text modes and {{=…=}} fail to
 * compile.
 *
 * Escaping is decided at compile time by the mode and, in HTML, by where
 * the tag stands:
 *   - HTML text and quoted attribute values: & < > " ' as entities;
 *   - the start of a quoted URL attribute value (href, src, action, …): the
 *     value must begin with http:, https:, mailto: (any case, after blanks)
 *     or '/' or '?' (but not "//"), else it renders "#"; a later tag in the
 *     same value is percent-encoded as a URL component;
 *   - anywhere else (<script>, <style>, comments, tag names, unquoted or
 *     event/style attribute values) a variable tag fails to compile.
 * TMPL_TEXT drops control characters but \n and \t; TMPL_SUBJECT drops \n
 * and \t too, so a value cannot start a new mail header. Numbers render as
 * JSON writes them (1, 2.5), true/false as words, null/objects/arrays as
 * nothing. */
#ifndef GESS_TMPL_H
#define GESS_TMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum tmpl_mode { TMPL_HTML, TMPL_TEXT, TMPL_SUBJECT };

/* Nesting of sections and partials together, so a template that includes
 * itself fails to compile instead of looping. */
#define TMPL_MAX_DEPTH 32

struct tmpl;

/* The source of partial `name` (not necessarily NUL-terminated; *len set),
 * owned by the resolver and alive during tmpl_compile only; NULL when there
 * is none. *file may be set to what errors in it should be named (e.g. its
 * path; alive as long as the source), else they name `name`. */
typedef const char *(*tmpl_partial_fn)(void *arg, const char *name, size_t *len, const char **file);

/* Compiles src (len bytes) named `name` in `mode`; partials through
 * partial(arg, …) (partial may be NULL: then {{>x}} is an error). NULL on
 * error, with "name:line:col: what" in err. */
struct tmpl *tmpl_compile(const char *name, const char *src, size_t len, enum tmpl_mode mode,
                          tmpl_partial_fn partial, void *arg, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Renders t over ctx (any JSON value, the bottom of the context stack) into
 * a malloc'd NUL-terminated *out (*len bytes, len may be NULL). False (and
 * *out NULL, err set) on out of memory or when the output or the work
 * would exceed the limits (a few MiB / a million nodes). Thread safe: t is
 * only read. */
bool tmpl_render(const struct tmpl *t, const json_t *ctx, char **out, size_t *len, char *err,
                 size_t errlen) __attribute__((warn_unused_result));

/* tmpl_render, with raw (a JSON object, or NULL) holding the trusted
 * HTML fragments {{{name}}} writes unescaped. Thread safe as tmpl_render. */
bool tmpl_render_raw(const struct tmpl *t, const json_t *ctx, const json_t *raw, char **out,
                     size_t *len, char *err, size_t errlen) __attribute__((warn_unused_result));

/* The template's name as given to tmpl_compile. */
const char *tmpl_name(const struct tmpl *t);

void tmpl_free(struct tmpl *t);

#endif
