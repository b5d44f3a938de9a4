/*
 * html.c - HTML to libxml2: gumbo-parser does the HTML5 parsing (it never
 * rejects a page), and its tree is copied into an xmlDoc so that the XPath
 * selectors of a site profile can run on it.  Plus the text and URL helpers
 * the parsers share.
 *
 * gumbo 0.10 is unmaintained, so nothing hostile reaches it: the input is
 * capped, NUL bytes and invalid UTF-8 are replaced first, and a cheap
 * pre-scan refuses pages whose tags nest deeper than CRAWLER_MAX_DEPTH or
 * carry more than MAX_ATTRS attributes (gumbo's time grows with the square
 * of both).  The copy uses
 * an explicit stack, never recursion.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gumbo.h>
#include <libxml/HTMLparser.h>
#include <libxml/dict.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "crawler_int.h"

/* libxml2 would print XPath and URI errors to stderr; we report our own. */
static void silent_error(void *ctx, const xmlError *err)
{
    (void)ctx;
    (void)err;
}

/* Keep libxml2's first message of an evaluation, for ours. */
static void first_error(void *ctx, const xmlError *err)
{
    struct buf *b = ctx;

    if (b->len == 0 && err && err->message)
        buf_puts(b, err->message);
}

/* The same for the messages XPath gives through the generic channel, e.g.
 * "xmlXPathCompOpEval: function has-clas not found", which name the culprit
 * that the structured "Unregistered function" does not. */
static void first_generic(void *ctx, const char *fmt, ...) NSC_PRINTF(2, 3);
static void first_generic(void *ctx, const char *fmt, ...)
{
    struct buf *b = ctx;
    va_list ap;

    va_start(ap, fmt);
    if (b->len == 0)
        buf_vappendf(b, fmt, ap);
    va_end(ap);
}

static void quiet_libxml(void)
{
    xmlInitParser();
    xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)silent_error);
}

/* Append code point 'cp' as UTF-8. */
static void put_utf8(struct buf *b, unsigned long cp)
{
    char u[4];

    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, u, 4);
    }
}

/* Length of the UTF-8 sequence a lead byte announces, 0 if it is no lead. */
static size_t utf8_seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

/* 1 when the 8 bytes at 's' are ASCII and none is NUL: sanitise() steps
 * over such a word at once, not a byte at a time. */
static int ascii8(const char *s)
{
    const uint64_t hi = 0x8080808080808080u, lo = 0x0101010101010101u;
    uint64_t w;

    memcpy(&w, s, sizeof(w));
    return (w & hi) == 0 && ((w - lo) & ~w & hi) == 0;
}

/*
 * Copy 's' into 'out' replacing NUL bytes and invalid UTF-8 with U+FFFD, and
 * return 1; return 0 without copying when 's' has neither, so a clean page
 * (nearly all are) is parsed where it lies: a copy of a 32 MB year index
 * would add to its parse's peak.  Valid runs are appended whole: a
 * byte-at-a-time append cost a tenth of a page's parse.
 */
static int sanitise(struct buf *out, const char *s, size_t len)
{
    size_t i = 0, run = 0; /* s[run..i) is valid and not yet appended */

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n;

        if (i + 8 <= len && ascii8(s + i)) {
            i += 8;
            continue;
        }
        if (c >= 0x01 && c < 0x80) {
            i++;
            continue;
        }
        n = utf8_seq_len(c);
        if (c != 0 && n > 1 && i + n <= len && nsc_utf8_valid(s + i, n)) {
            i += n;
            continue;
        }
        if (run == 0 && out->len == 0)
            buf_grow(out, len + 16);
        buf_append(out, s + run, i - run);
        put_utf8(out, 0xFFFD);
        run = ++i;
    }
    if (run == 0)
        return 0;
    buf_append(out, s + run, len - run);
    return 1;
}

/* Elements that never nest (void) or that the next sibling closes. */
static int tag_flat(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_COL:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_META:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_WBR:
    case GUMBO_TAG_KEYGEN:
    case GUMBO_TAG_P:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_OPTGROUP:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_RB:
    case GUMBO_TAG_RT:
    case GUMBO_TAG_RP:
    case GUMBO_TAG_COLGROUP:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_BASEFONT:
    case GUMBO_TAG_BGSOUND:
        return 1;
    default:
        return 0;
    }
}

/* Elements whose content is raw text, not markup. */
static int tag_raw(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_XMP:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_PLAINTEXT:
        return 1;
    default:
        return 0;
    }
}

/* Find 'needle' (lower case, starting with a non-letter) in s[i..len)
 * ignoring case; len when absent.  memchr finds the candidates. */
static size_t find_ci(const char *s, size_t len, size_t i, const char *needle)
{
    size_t n = strlen(needle);

    while (i + n <= len) {
        const char *p = memchr(s + i, needle[0], len - n + 1 - i);

        if (!p)
            return len;
        i = (size_t)(p - s);
        if (nsc_strncasecmp(s + i, needle, n) == 0)
            return i;
        i++;
    }
    return len;
}

#define MAX_ATTRS 512 /* attributes in one tag (gumbo's duplicate check is quadratic) */

/*
 * Refuse input that would make gumbo slow (its cost grows with the square
 * of the nesting depth and of the attributes in one tag): an upper estimate
 * of the depth counts opening tags minus closing tags, ignoring void and
 * auto-closed elements, raw text and comments ("/>" closes only inside
 * svg/math: in HTML "<div/>" opens a div).  Returns 0, or NSC_ELIMIT with
 * the message set.
 */
static int prescan(const char *s, size_t len, const char *url)
{
    size_t i = 0;
    int depth = 0, foreign = 0;

    while (i < len) {
        char name[16];
        size_t n = 0, attrs = 0;
        int closing = 0, selfclose = 0, space = 0;
        GumboTag tag;
        char q = 0;
        const char *lt = memchr(s + i, '<', len - i);

        if (!lt)
            break;
        i = (size_t)(lt - s) + 1;
        if (i + 2 < len && s[i] == '!' && s[i + 1] == '-' && s[i + 2] == '-') {
            i = find_ci(s, len, i + 3, "-->");
            continue;
        }
        if (i < len && (s[i] == '!' || s[i] == '?')) {
            while (i < len && s[i] != '>')
                i++;
            continue;
        }
        if (i < len && s[i] == '/') {
            closing = 1;
            i++;
        }
        if (i >= len || !isalpha((unsigned char)s[i]))
            continue;
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == ':')) {
            if (n + 1 < sizeof(name))
                name[n++] = (char)tolower((unsigned char)s[i]);
            i++;
        }
        name[n] = '\0';
        tag = gumbo_tagn_enum(name, (unsigned)n);
        for (; i < len; i++) {
            if (q) {
                if (s[i] == q)
                    q = 0;
            } else if (s[i] == '"' || s[i] == '\'') {
                q = s[i];
            } else if (s[i] == '>') {
                selfclose = s[i - 1] == '/';
                i++;
                break;
            } else if (isspace((unsigned char)s[i]) || s[i] == '/') {
                space = 1;
            } else if (space) {
                space = 0;
                if (++attrs > MAX_ATTRS)
                    return nsc_error_set(NSC_ELIMIT, "'%s': a tag with more than %d attributes",
                                         url, MAX_ATTRS);
            }
        }
        if (closing) {
            if (tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH)
                foreign -= foreign > 0;
            if (!tag_flat(tag) && depth > 0)
                depth--;
            continue;
        }
        if (!foreign && tag_raw(tag)) {
            char end[20];

            snprintf(end, sizeof(end), "</%s", name);
            i = find_ci(s, len, i, end);
            continue;
        }
        if ((selfclose && foreign) || tag_flat(tag))
            continue;
        if (tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH)
            foreign++;
        if (++depth > CRAWLER_MAX_DEPTH)
            return nsc_error_set(NSC_ELIMIT, "'%s': elements nested deeper than %d", url,
                                 CRAWLER_MAX_DEPTH);
    }
    return 0;
}

/* XML white space: what normalize-space() collapses. */
static int xml_space(xmlChar c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 1 when 's' is XML white space only. */
static int all_blank(const char *s)
{
    for (; *s; s++)
        if (!xml_space((xmlChar)*s))
            return 0;
    return 1;
}

/*
 * A text node holding 's', stored as libxml2's own parser stores text
 * (xmlSAX2TextNode, XML_PARSE_COMPACT): a string shorter than two pointers
 * inside the node, in the two fields only an element uses; white space
 * under 60 bytes once in the document's dictionary; anything else in a copy
 * of its own.  xmlFreeNode() and xmlNodeAddContent() know all three.  A
 * copy of each made two thirds of the tree's small allocations.
 */
static xmlNodePtr new_text(xmlDocPtr doc, const char *s)
{
    size_t len = strlen(s);
    xmlNodePtr t;

    if (len >= 2 * sizeof(void *) && (len >= 60 || !all_blank(s))) {
        t = xmlNewDocText(doc, BAD_CAST s);
        if (!t)
            NSC_BUG("xmlNewDocText failed");
        return t;
    }
    t = xmlNewDocText(doc, NULL);
    if (!t)
        NSC_BUG("xmlNewDocText failed");
    if (len < 2 * sizeof(void *)) {
        xmlChar *in = (xmlChar *)t + offsetof(xmlNode, properties);

        memcpy(in, s, len + 1);
        t->content = in;
    } else {
        t->content = (xmlChar *)xmlDictLookup(doc->dict, BAD_CAST s, (int)len);
        if (!t->content)
            NSC_BUG("xmlDictLookup failed");
    }
    return t;
}

/* A libxml2 element for a gumbo element, with its attributes. */
static xmlNodePtr new_element(xmlDocPtr doc, const GumboNode *g)
{
    const GumboElement *e = &g->v.element;
    char *owned = NULL;
    const char *name;
    xmlNodePtr x;
    unsigned i;

    if (e->tag != GUMBO_TAG_UNKNOWN) {
        name = gumbo_normalized_tagname(e->tag);
    } else {
        GumboStringPiece piece = e->original_tag;

        gumbo_tag_from_original_text(&piece);
        owned = xstrndup(piece.data ? piece.data : "", piece.length);
        for (char *c = owned; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        name = owned;
    }
    if (!name || !*name)
        name = "unknown";
    x = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL); /* the name is interned in doc->dict */
    if (!x)
        NSC_BUG("xmlNewNode failed");
    for (i = 0; i < e->attributes.length; i++) {
        const GumboAttribute *a = e->attributes.data[i];

        xmlAttrPtr attr;
        xmlNodePtr t;

        if (!a->name || !*a->name)
            continue;
        /* no value here: xmlNewProp() would copy it, new_text() need not */
        attr = xmlNewProp(x, BAD_CAST a->name, NULL);
        if (!attr)
            NSC_BUG("xmlNewProp failed");
        t = new_text(doc, a->value ? a->value : "");
        t->parent = (xmlNodePtr)attr;
        attr->children = attr->last = t;
    }
    free(owned);
    return x;
}

/*
 * gumbo's allocations for one page come from an arena freed in one go.
 * gumbo makes a malloc() and a free() for every token, string and vector
 * it grows, and destroying its tree walks every node again: on an abstract
 * page that was about a third of the parse.  A grown vector's old storage
 * stays in the arena until the page is done, which costs little on the
 * pages it is used for (see ARENA_MAX_PAGE).  Fuzzing builds define
 * NSC_GUMBO_MALLOC, so that ASan watches gumbo's own accesses.
 */
struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    max_align_t data[]; /* 'size' bytes */
};

struct arena {
    struct arena_chunk *head;
    size_t next_size; /* of the next chunk; doubles, as the page needs */
};

/* Pages up to this size parse into an arena; a larger one (a year index
 * of thousands of papers) has gumbo free as it goes, to keep its peak low. */
#ifdef NSC_GUMBO_MALLOC
#define ARENA_MAX_PAGE ((size_t)0) /* fuzzing: gumbo's own malloc() for every page */
#else
#define ARENA_MAX_PAGE ((size_t)1024 * 1024)
#endif

/* gumbo's allocator: bump 'size' bytes, aligned as malloc() aligns. */
static void *arena_alloc(void *ud, size_t size)
{
    struct arena *a = ud;
    struct arena_chunk *c = a->head;
    size_t need = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    void *p;

    if (need < size) /* wrapped: no gumbo allocation is this large */
        NSC_BUG("arena allocation of %zu bytes", size);
    if (!c || c->size - c->used < need) {
        size_t sz = a->next_size;

        while (sz < need)
            sz *= 2;
        c = xmalloc(sizeof(*c) + sz);
        c->size = sz;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->next_size = sz * 2;
    }
    p = (char *)c->data + c->used;
    c->used += need;
    return p;
}

/* gumbo's deallocator: nothing until the whole arena goes. */
static void arena_dealloc(void *ud, void *ptr)
{
    (void)ud;
    (void)ptr;
}

static void arena_release(struct arena *a)
{
    while (a->head) {
        struct arena_chunk *next = a->head->next;

        free(a->head);
        a->head = next;
    }
}

/* 1 when the white-space separated list 'v' has the token t[0..tl). */
static int has_token(const xmlChar *v, const xmlChar *t, size_t tl)
{
    while (*v) {
        const xmlChar *w;

        while (xml_space(*v))
            v++;
        for (w = v; *w && !xml_space(*w); w++)
            ;
        if ((size_t)(w - v) == tl && memcmp(v, t, tl) == 0)
            return 1;
        v = w;
    }
    return 0;
}

/* Attribute 'name' in no namespace of element 'el' (what @name selects;
 * gumbo keeps the first of two), or NULL. */
static xmlAttrPtr find_attr(xmlNodePtr el, const char *name)
{
    for (xmlAttrPtr a = el->properties; a; a = a->next)
        if (!a->ns && xmlStrEqual(a->name, BAD_CAST name))
            return a;
    return NULL;
}

/* The string value of attribute 'a' (NULL for none): its one text node as
 * the copy makes it, else a copy left in *own for the caller to xmlFree(). */
static const xmlChar *attr_value(xmlAttrPtr a, xmlChar **own)
{
    if (!a)
        return NULL;
    if (a->children && !a->children->next && a->children->type == XML_TEXT_NODE)
        return a->children->content;
    return *own = xmlNodeGetContent((xmlNodePtr)a);
}

/*
 * has-class(T), the profile's class test: true when the context node is an
 * element whose class attribute, split at XML white space, has the token T
 * (an empty T, or one with white space, matches nothing).  It says what
 * contains(concat(' ', normalize-space(@class), ' '), ' T ') says, without
 * the objects and strings libxml2 allocates to evaluate that on every element it
 * tests.
 */
static void xp_has_class(xmlXPathParserContextPtr ctxt, int nargs)
{
    xmlNodePtr node = ctxt->context->node;
    xmlChar *t, *own = NULL;
    const xmlChar *v = NULL;
    size_t tl;
    int r = 0;

    if (nargs != 1) {
        xmlXPathErr(ctxt, XPATH_INVALID_ARITY);
        return;
    }
    t = xmlXPathPopString(ctxt);
    if (!t) {
        xmlXPathErr(ctxt, XPATH_MEMORY_ERROR);
        return;
    }
    tl = strlen((const char *)t);
    for (const xmlChar *c = t; *c; c++)
        if (xml_space(*c))
            tl = 0;
    if (tl > 0 && node && node->type == XML_ELEMENT_NODE) {
        v = attr_value(find_attr(node, "class"), &own);
        r = v && has_token(v, t, tl);
    }
    xmlFree(own);
    xmlFree(t);
    valuePush(ctxt, xmlXPathNewBoolean(r));
}

/* The element after 'n' in document order below 'doc', or NULL: the
 * first child when 'n' is an element, else the next sibling of 'n' or of
 * its nearest ancestor that has one. */
static xmlNodePtr next_in_doc(xmlNodePtr n, xmlDocPtr doc)
{
    if (n->type == XML_ELEMENT_NODE && n->children)
        return n->children;
    while (n && n != (xmlNodePtr)doc && !n->next)
        n = n->parent;
    return n && n != (xmlNodePtr)doc ? n->next : NULL;
}

/*
 * meta(N), the profile's <meta> lookup: the content attributes of the
 * document's meta elements whose name attribute is N, in document order.
 * It selects what /descendant::meta[@name=N]/@content selects, without the
 * node set and the two strings libxml2 allocates to test each <meta>.
 */
static void xp_meta(xmlXPathParserContextPtr ctxt, int nargs)
{
    xmlDocPtr doc = ctxt->context->doc;
    xmlNodeSetPtr set;
    xmlChar *want;

    if (nargs != 1) {
        xmlXPathErr(ctxt, XPATH_INVALID_ARITY);
        return;
    }
    want = xmlXPathPopString(ctxt);
    set = xmlXPathNodeSetCreate(NULL);
    if (!want || !set) {
        xmlFree(want);
        xmlXPathFreeNodeSet(set);
        xmlXPathErr(ctxt, XPATH_MEMORY_ERROR);
        return;
    }
    for (xmlNodePtr n = doc ? doc->children : NULL; n; n = next_in_doc(n, doc)) {
        xmlAttrPtr content;
        const xmlChar *v;
        xmlChar *own = NULL;

        if (n->type != XML_ELEMENT_NODE || n->ns || !xmlStrEqual(n->name, BAD_CAST "meta") ||
            !(content = find_attr(n, "content")))
            continue;
        v = attr_value(find_attr(n, "name"), &own);
        if (v && xmlStrEqual(v, want) && xmlXPathNodeSetAdd(set, (xmlNodePtr)content) < 0)
            NSC_BUG("xmlXPathNodeSetAdd failed");
        xmlFree(own);
    }
    xmlFree(want);
    valuePush(ctxt, xmlXPathWrapNodeSet(set));
}

/* A new XPath context on 'doc' that knows has-class() and meta(). */
static xmlXPathContextPtr new_context(xmlDocPtr doc)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);

    if (!ctx)
        NSC_BUG("xmlXPathNewContext failed");
    if (xmlXPathRegisterFunc(ctx, BAD_CAST "has-class", xp_has_class) != 0)
        NSC_BUG("xmlXPathRegisterFunc failed");
    if (xmlXPathRegisterFunc(ctx, BAD_CAST "meta", xp_meta) != 0)
        NSC_BUG("xmlXPathRegisterFunc failed");
    return ctx;
}

struct frame {
    const GumboVector *kids;
    unsigned i;
    xmlNodePtr parent;
};

/* Copy gumbo's document into 'doc' without recursion. */
static int copy_tree(xmlDocPtr doc, const GumboNode *root, const char *url)
{
    struct frame *st = NULL;
    size_t n = 0, cap = 0;
    int err = 0;

    NSC_GROW(st, cap, 1);
    st[n++] = (struct frame){ &root->v.document.children, 0, (xmlNodePtr)doc };
    while (n > 0) {
        struct frame *f = &st[n - 1];
        const GumboNode *g;
        xmlNodePtr x;

        if (f->i >= f->kids->length) {
            n--;
            continue;
        }
        g = f->kids->data[f->i++];
        switch (g->type) {
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE:
            if (n > CRAWLER_MAX_DEPTH) {
                err = nsc_error_set(NSC_ELIMIT, "'%s': elements nested deeper than %d", url,
                                    CRAWLER_MAX_DEPTH);
                goto out;
            }
            x = new_element(doc, g);
            xmlAddChild(f->parent, x);
            NSC_GROW(st, cap, n + 1);
            st[n++] = (struct frame){ &g->v.element.children, 0, x };
            break;
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_WHITESPACE:
        case GUMBO_NODE_CDATA:
            if (f->parent != (xmlNodePtr)doc)
                xmlAddChild(f->parent, new_text(doc, g->v.text.text));
            break;
        default: /* comments, a stray document node */
            break;
        }
    }
out:
    free(st);
    return err;
}

int crawler__html_parse(struct _xmlDoc **out, const char *url, const char *html, size_t len,
                        size_t max)
{
    struct buf clean = BUF_INIT;
    GumboOptions opts = kGumboDefaultOptions;
    struct arena arena = { NULL, 0 };
    GumboOutput *g = NULL;
    xmlDocPtr doc = NULL;
    int err = 0;

    *out = NULL;
    if (len > max)
        return nsc_error_set(NSC_ELIMIT, "'%s': page of %zu bytes is over the %zu byte cap", url,
                             len, max);
    if (!html)
        html = "";
    if (sanitise(&clean, html, len)) {
        html = clean.ptr;
        len = clean.len;
    }
    err = prescan(html, len, url);
    if (err < 0)
        goto out;
#ifdef NSC_BENCH_LIBXML2_HTML
    /* bench/parse_bench_libxml2 only: libxml2's own HTML parser in gumbo's
     * place, to measure it against gumbo (never built into nipscope) */
    quiet_libxml();
    doc = htmlReadMemory(html, (int)len, url, "UTF-8",
                         HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             HTML_PARSE_NONET | HTML_PARSE_COMPACT);
    if (!doc) {
        err = nsc_error_set(NSC_EPARSE, "'%s': the HTML parser gave no tree", url);
        goto out;
    }
    goto context;
#endif
    opts.max_errors = 0; /* we never read them; do not let a bad page fill memory */
    if (ARENA_MAX_PAGE > 0 && len <= ARENA_MAX_PAGE) {
        arena.next_size = 16 * len + 16384; /* one chunk holds a typical page's tree */
        opts.allocator = arena_alloc;
        opts.deallocator = arena_dealloc;
        opts.userdata = &arena;
    }
    g = gumbo_parse_with_options(&opts, html, len);
    if (!g || !g->document) {
        err = nsc_error_set(NSC_EPARSE, "'%s': the HTML parser gave no tree", url);
        goto out;
    }
    quiet_libxml();
    doc = xmlNewDoc(BAD_CAST "1.0");
    if (!doc)
        NSC_BUG("xmlNewDoc failed");
    /* element and attribute names once a document, not a malloc() a node;
     * xmlFreeDoc() frees the dictionary */
    doc->dict = xmlDictCreate();
    if (!doc->dict)
        NSC_BUG("xmlDictCreate failed");
    err = copy_tree(doc, g->document, url);
    if (err < 0)
        goto out;
#ifdef NSC_BENCH_LIBXML2_HTML
context:
#endif
    /* one XPath context a document: creating one registers every XPath
     * function in a new hash table, which cost as much as the evaluations */
    doc->_private = new_context(doc);
    *out = doc;
    doc = NULL;
out:
    if (g && !arena.next_size)
        gumbo_destroy_output(&opts, g);
    arena_release(&arena);
    if (doc)
        xmlFreeDoc(doc);
    buf_release(&clean);
    return err;
}

void crawler__html_free(struct _xmlDoc *doc)
{
    if (!doc)
        return;
    xmlXPathFreeContext(doc->_private);
    doc->_private = NULL;
    xmlFreeDoc(doc);
}

/* Run 'xp' at 'node' in the document's own context (a document made
 * elsewhere gets a context for this call only); NULL with the error set on
 * failure. */
static xmlXPathObjectPtr xp_eval(const struct crawler__xpath *xp, xmlDocPtr doc, xmlNodePtr node)
{
    xmlXPathContextPtr ctx = doc->_private, own = NULL;
    xmlXPathObjectPtr obj;
    struct buf why = BUF_INIT, detail = BUF_INIT;

    quiet_libxml();
    if (!ctx)
        ctx = own = new_context(doc);
    /* what xmlXPathNewContext() leaves, so no evaluation sees another's state */
    ctx->node = node ? node : (xmlNodePtr)doc;
    ctx->contextSize = -1;
    ctx->proximityPosition = -1;
    xmlSetStructuredErrorFunc(&why, (xmlStructuredErrorFunc)first_error);
    xmlSetGenericErrorFunc(&detail, first_generic);
    obj = xmlXPathCompiledEval((xmlXPathCompExprPtr)xp->comp, ctx);
    xmlSetGenericErrorFunc(NULL, NULL);
    quiet_libxml();
    xmlXPathFreeContext(own);
    if (!obj) {
        /* e.g. a function this binary does not register: the profile's
         * fault, named where it is, never "no match" */
        char *m = crawler__text_clean(buf_cstr(&why), 0);
        char *d = crawler__text_clean(buf_cstr(&detail), 0);

        nsc_error_set(NSC_EPARSE, "%s:%d:%d: XPath '%s' failed to evaluate%s%s%s%s%s",
                      xp->file ? xp->file : "site profile", xp->line, xp->col, xp->src,
                      m ? ": " : "", m ? m : "", d ? " (" : "", d ? d : "", d ? ")" : "");
        free(m);
        free(d);
    }
    buf_release(&why);
    buf_release(&detail);
    return obj;
}

int crawler__xp_match(const struct crawler__xpath *xp, struct _xmlDoc *doc, struct _xmlNode *node)
{
    xmlXPathObjectPtr obj;
    int r = 0;

    if (!xp->comp)
        return 0;
    obj = xp_eval(xp, doc, node);
    if (!obj)
        return NSC_EPARSE;
    switch (obj->type) {
    case XPATH_NODESET:
        r = obj->nodesetval && obj->nodesetval->nodeNr > 0;
        break;
    case XPATH_BOOLEAN:
        r = obj->boolval;
        break;
    case XPATH_NUMBER:
        r = obj->floatval != 0 && obj->floatval == obj->floatval;
        break;
    case XPATH_STRING:
        r = obj->stringval && obj->stringval[0];
        break;
    default:
        break;
    }
    xmlXPathFreeObject(obj);
    return r;
}

int crawler__xp_nodes(struct _xmlNode ***out, size_t *n, const struct crawler__xpath *xp,
                      struct _xmlDoc *doc, struct _xmlNode *node)
{
    xmlXPathObjectPtr obj;

    *out = NULL;
    *n = 0;
    if (!xp->comp)
        return 0;
    obj = xp_eval(xp, doc, node);
    if (!obj)
        return NSC_EPARSE;
    if (obj->type == XPATH_NODESET && obj->nodesetval && obj->nodesetval->nodeNr > 0) {
        size_t k = (size_t)obj->nodesetval->nodeNr;

        /* an array of node pointers: sizeof(**out) is the pointer size, as meant */
        /* NOLINTNEXTLINE(bugprone-sizeof-expression) */
        *out = xreallocarray(NULL, k, sizeof(**out));
        /* NOLINTNEXTLINE(bugprone-sizeof-expression) */
        memcpy(*out, obj->nodesetval->nodeTab, k * sizeof(**out));
        *n = k;
    }
    xmlXPathFreeObject(obj);
    return 0;
}

static void strv_push(char ***v, size_t *n, size_t *cap, char *s)
{
    NSC_GROW(*v, *cap, *n + 2);
    (*v)[(*n)++] = s;
    (*v)[*n] = NULL;
}

int crawler__xp_strings(char ***out, size_t *n, const struct crawler__xpath *xp,
                        struct _xmlDoc *doc, struct _xmlNode *node, int twice)
{
    xmlXPathObjectPtr obj;
    size_t cap = 0;
    char **v = NULL;
    char *s;

    *out = NULL;
    *n = 0;
    if (!xp->comp)
        return 0;
    obj = xp_eval(xp, doc, node);
    if (!obj)
        return NSC_EPARSE;
    if (obj->type == XPATH_NODESET) {
        int k = obj->nodesetval ? obj->nodesetval->nodeNr : 0;

        for (int i = 0; i < k; i++) {
            xmlChar *raw = xmlXPathCastNodeToString(obj->nodesetval->nodeTab[i]);

            s = crawler__text_clean((const char *)raw, twice);
            xmlFree(raw);
            if (s)
                strv_push(&v, n, &cap, s);
        }
    } else {
        xmlChar *raw = xmlXPathCastToString(obj);

        s = crawler__text_clean((const char *)raw, twice);
        xmlFree(raw);
        if (s)
            strv_push(&v, n, &cap, s);
    }
    xmlXPathFreeObject(obj);
    *out = v;
    return 0;
}

int crawler__xp_string(char **out, const struct crawler__xpath *xp, struct _xmlDoc *doc,
                       struct _xmlNode *node, int twice)
{
    char **v;
    size_t n;
    int err;

    *out = NULL;
    err = crawler__xp_strings(&v, &n, xp, doc, node, twice);
    if (err < 0)
        return err;
    if (n > 0) {
        *out = v[0];
        v[0] = xstrdup(""); /* keep the array freeable as a whole */
    }
    crawler__strv_free(v);
    return 0;
}

void crawler__strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

/* White space to text_clean(): ASCII, and U+00A0 (2 bytes); the length of
 * the white space at 'p', 0 for none. */
static size_t clean_space(const unsigned char *p)
{
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
        return 1;
    return p[0] == 0xC2 && p[1] == 0xA0 ? 2 : 0;
}

/* Collapse white space, a run of other bytes appended whole: a byte at a
 * time, cleaning was a tenth of an index item's cost. */
char *crawler__text_clean(const char *s, int twice)
{
    struct buf b = BUF_INIT;
    char *dec = NULL;
    int space = 0;

    if (!s)
        return NULL;
    if (twice)
        s = dec = crawler__entities_decode(s);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = 0, ws = clean_space(p);

        if (ws) {
            space = 1;
            p += ws;
            continue;
        }
        while (p[n] && !clean_space(p + n))
            n++;
        if (space && b.len > 0)
            buf_putc(&b, ' ');
        space = 0;
        buf_append(&b, p, n);
        p += n;
    }
    free(dec);
    if (b.len == 0) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

char *crawler__entities_decode(const char *s)
{
    struct buf b = BUF_INIT;

    buf_puts(&b, "");
    while (*s) {
        const char *semi, *amp = strchr(s, '&');
        char name[40];
        size_t n;

        /* the text up to the next '&' whole, not a byte at a time */
        if (!amp) {
            buf_puts(&b, s);
            break;
        }
        buf_append(&b, s, (size_t)(amp - s));
        s = amp;
        /* look for the ';' within a name's length only: no quadratic rescans */
        if (!(semi = memchr(s + 1, ';', strnlen(s + 1, sizeof(name)))) ||
            (n = (size_t)(semi - s - 1)) == 0 || n >= sizeof(name)) {
            buf_putc(&b, *s++);
            continue;
        }
        memcpy(name, s + 1, n);
        name[n] = '\0';
        if (name[0] == '#') {
            int hex = name[1] == 'x' || name[1] == 'X';
            const char *d = name + 1 + hex;
            unsigned long cp = 0;
            int ok = *d != '\0' && strlen(d) <= 8;

            for (; ok && *d; d++) {
                if (hex ? !isxdigit((unsigned char)*d) : !isdigit((unsigned char)*d))
                    ok = 0;
                else
                    cp = cp * (hex ? 16 : 10) +
                         (unsigned long)(isdigit((unsigned char)*d)
                                             ? *d - '0'
                                             : tolower((unsigned char)*d) - 'a' + 10);
            }
            if (ok) {
                put_utf8(&b, cp);
                s = semi + 1;
                continue;
            }
        } else {
            const htmlEntityDesc *e = htmlEntityLookup(BAD_CAST name);

            if (e) {
                put_utf8(&b, e->value);
                s = semi + 1;
                continue;
            }
        }
        buf_putc(&b, *s++);
    }
    return buf_detach(&b, NULL);
}

/* Percent-encode what a browser would before resolving a link: spaces,
 * controls, non-ASCII bytes, a few unsafe ASCII characters and a '%' that
 * starts no escape. */
static char *uri_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    struct buf b = BUF_INIT;

    buf_puts(&b, "");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int esc = *p <= 0x20 || *p >= 0x7F || strchr("\"<>\\^`{|}", *p) ||
                  (*p == '%' && !(isxdigit(p[1]) && isxdigit(p[2])));

        if (esc) {
            buf_putc(&b, '%');
            buf_putc(&b, hex[*p >> 4]);
            buf_putc(&b, hex[*p & 15]);
        } else {
            buf_putc(&b, (char)*p);
        }
    }
    return buf_detach(&b, NULL);
}

char *crawler__url_resolve(const char *base, const char *ref)
{
    xmlChar *u;
    char *r;

    if (!ref)
        return NULL;
    quiet_libxml();
    u = xmlBuildURI(BAD_CAST ref, BAD_CAST(base ? base : ""));
    if (!u) {
        char *e = uri_escape(ref);

        u = xmlBuildURI(BAD_CAST e, BAD_CAST(base ? base : ""));
        free(e);
    }
    if (!u)
        return NULL;
    r = xstrdup((const char *)u);
    xmlFree(u);
    return r;
}

char *crawler__url_path(const char *url)
{
    const char *p = url, *sep = strstr(url, "://");
    size_t n;

    if (sep && sep < url + strcspn(url, "/?#"))
        p = sep + 3;
    else if (url[0] == '/' && url[1] == '/')
        p = url + 2;
    else
        goto path;
    p += strcspn(p, "/?#");
path:
    n = strcspn(p, "?#");
    if (n == 0)
        return xstrdup("/");
    return xstrndup(p, n);
}
