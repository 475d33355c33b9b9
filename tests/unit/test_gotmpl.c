/* test_gotmpl.c - the Go template engine (src/cli/gotmpl*.c) against what
 * Go's text/template and Docker's CLI print for the same template and data:
 * the examples of Docker's "Format command and log output" page, Go's
 * documented semantics (trim markers, range over maps in key order, and/or
 * returning an operand, fmt's %!verb complaints), and bad templates refused
 * with their line and column. */
#include <stdlib.h>

#include "gotmpl.h"
#include "tap.h"

static const char *data_json =
    "{\"Name\":\"web\",\"Id\":\"0123456789abcdef\",\"Args\":[\"a\",\"b\",\"c\"],"
    "\"Labels\":{\"com.example.version\":\"2\",\"a\":\"1\"},"
    "\"State\":{\"Running\":true,\"Status\":\"running\",\"Pid\":42},"
    "\"Mounts\":[{\"Source\":\"/srv\",\"Destination\":\"/data\"},{\"Source\":\"/"
    "tmp\",\"Destination\":\"/t\"}],"
    "\"Rows\":[{\"Labels\":\"a=1,b=2\"},{\"Labels\":\"\"},{\"Labels\":\"bb=1,b=x=y\"}],"
    "\"Size\":1024,\"Ratio\":1.5,\"Empty\":\"\",\"Nothing\":null,\"Config\":{\"Env\":[\"A=1\"],"
    "\"Tty\":false}}";

static json_t *data;

/* @tmpl run on the data: the output, or "ERR: message" */
static char *run(const char *tmpl)
{
	struct gotmpl *t;
	struct werr err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (gotmpl_parse(tmpl, &t, &err) < 0) {
		if (asprintf(&buf, "ERR: %s", err.msg) < 0)
			abort();
		return buf;
	}
	f = open_memstream(&buf, &len);
	if (gotmpl_exec(t, data, f, &err) < 0)
		fprintf(f, "ERR: %s", err.msg);
	fclose(f);
	gotmpl_free(t);
	return buf;
}

/* the template as a one-line test name */
static const char *name_of(const char *tmpl)
{
	static char buf[256];
	size_t o = 0;

	for (const char *c = tmpl; *c && o + 3 < sizeof(buf); c++) {
		if (*c == '\n')
			buf[o++] = '\\', buf[o++] = 'n';
		else
			buf[o++] = *c;
	}
	buf[o] = 0;
	return buf;
}

static void same(const char *tmpl, const char *want)
{
	char *got = run(tmpl);

	check_str(got, want, name_of(tmpl));
	free(got);
}

/* an error whose message holds @part */
static void fails(const char *tmpl, const char *part)
{
	char *got = run(tmpl);
	const char *e = strstr(got, "ERR: ");
	int ok = e && strstr(e, part);

	if (!check(ok, name_of(tmpl)))
		printf("#   got:  [%s]\n#   want an error with: [%s]\n", got, part);
	free(got);
}

static void docker_examples(void)
{
	same("{{.Name}}", "web");
	same("{{join .Args \" , \"}}", "a , b , c");
	same("{{json .Config}}", "{\"Env\":[\"A=1\"],\"Tty\":false}");
	same("{{json .Name}}", "\"web\"");
	same("{{lower \"ABC\"}} {{upper .Name}}", "abc WEB");
	same("{{title \"hello big-world\"}}", "Hello Big-World");
	same("{{split \"ubuntu:latest\" \":\"}}", "[ubuntu latest]");
	same("{{index (split \"ubuntu:latest\" \":\") 1}}", "latest");
	same("{{pad .Name 2 3}}|", "  web   |");
	same("{{truncate .Id 4}} {{truncate .Name 10}}", "0123 web");
	same("{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", "/srv:/data /tmp:/t ");
	same("{{(index .Mounts 1).Source}}", "/tmp");
	same("{{index .Labels \"com.example.version\"}}", "2");
	same("{{.State.Pid}} {{.State.Running}}", "42 true");
}

static void go_semantics(void)
{
	same("{{.}}",
	     "map[Args:[a b c] Config:map[Env:[A=1] Tty:false] Empty: Id:0123456789abcdef "
	     "Labels:map[a:1 com.example.version:2] Mounts:[map[Destination:/data Source:/srv] "
	     "map[Destination:/t Source:/tmp]] Name:web Nothing:<nil> Ratio:1.5 "
	     "Rows:[map[Labels:a=1,b=2] map[Labels:] map[Labels:bb=1,b=x=y]] Size:1024 "
	     "State:map[Pid:42 Running:true Status:running]]");
	same("{{.Args}} {{.Labels}}", "[a b c] map[a:1 com.example.version:2]");
	same("{{.Missing}} {{.Nothing}}", "<no value> <nil>");
	same("{{range $i, $e := .Args}}{{$i}}={{$e}};{{end}}", "0=a;1=b;2=c;");
	same("{{range $k, $v := .Labels}}{{$k}}={{$v}},{{end}}", "a=1,com.example.version=2,");
	same("{{range .Nothing}}x{{else}}none{{end}}", "none");
	same("{{range 3}}{{.}}{{end}}", "012");
	same("{{range .Args}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", "a");
	same("{{range .Args}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}", "ac");
	same("{{if .State.Running}}up{{else}}down{{end}}", "up");
	same("{{if eq .State.Status \"exited\"}}E{{else if eq .State.Status "
	     "\"running\"}}R{{else}}?{{end}}",
	     "R");
	same("{{with .Missing}}yes{{else}}no{{end}} {{with .State}}{{.Status}}{{end}}",
	     "no running");
	same("{{if .Empty}}x{{else}}empty{{end}}", "empty");
	same("{{$n := len .Args}}{{$n}} {{$n = 7}}{{$n}}", "3 7");
	same("{{range .Args}}{{$.Name}}{{end}}", "webwebweb");
	same("x {{- .Name -}} y", "xweby");
	same("a  {{- /* a comment */ -}}  b", "ab");
	same("{{/* nothing */}}ok", "ok");
	same("{{and 1 0 2}} {{or 0 \"\" \"x\"}} {{not true}} {{and 1 2}}", "0 x false 2");
	same("{{.Size | printf \"%d bytes\"}}", "1024 bytes");
	same("{{\"a\" | printf \"%s-%s\" \"b\"}}", "b-a");
	same("{{lt 1 2}} {{ge \"b\" \"a\"}} {{ne .Name \"web\"}} {{eq 2 1 2}} {{le 1.5 1}}",
	     "true true false true false");
	same("{{slice \"abcdef\" 1 3}} {{slice .Args 1}}", "bc [b c]");
	same("{{html \"<a&b>\"}} {{urlquery \"a b&c\"}} {{js \"it's\"}}",
	     "&lt;a&amp;b&gt; a+b%26c it\\'s");
	same("{{print 1 2 \"x\" 3}}|{{println 1 \"x\"}}|", "1 2x3|1 x\n|");
	same("{{len .Labels}} {{len .Name}}", "2 3");
	same("{{.Ratio}} {{0.0001}} {{1e-05}} {{123456789.0}} {{-2.5}}",
	     "1.5 0.0001 1e-05 1.23456789e+08 -2.5");
	same("{{\"tab\\there\"}} {{`raw\\t`}} {{'a'}} {{0x1F}}", "tab\there raw\\t 97 31");
}

static void go_printf(void)
{
	same("{{printf \"%-10s|%5d|%q\" .Name 42 \"x\"}}", "web       |   42|\"x\"");
	same("{{printf \"%v %.2f %x %X %o %b %t %c %U\" 1.5 3.14159 255 255 8 5 true 65 65}}",
	     "1.5 3.14 ff FF 10 101 true A U+0041");
	same("{{printf \"%05d|%+d|%8.3f|%-6v|%3s\" 42 7 2.5 true \"abcd\"}}",
	     "00042|+7|   2.500|true  |abcd");
	same("{{printf \"%.2s|%x|%s|%v\" \"hello\" \"hi\" .Args .Labels}}",
	     "he|6869|[a b c]|map[a:1 com.example.version:2]");
	same("{{printf \"%s\" 5}}", "%!s(int=5)");
	same("{{printf \"%d\" \"x\"}}", "%!d(string=x)");
	same("{{printf \"%d\"}}", "%!d(MISSING)");
	same("{{printf \"%d\" 1 2}}", "1%!(EXTRA int=2)");
	same("{{printf \"100%%\"}}", "100%");
	same("{{printf \"%g %g %e\" 1e6 0.5 1234.5}}", "1e+06 0.5 1.234500e+03");
}

/* Docker's one method, Label, on a map of labels and on ps's "k=v,k=v" */
static void label_method(void)
{
	same("{{.Label \"com.example.version\"}}", "2");
	same("{{.Label \"a\"}}|{{.Label \"none\"}}|", "1||");
	same("{{with .State}}{{$.Label \"a\"}}{{end}}", "1");
	same("{{\"a\" | .Label}}", "1");
	same("{{range .Rows}}{{.Label \"b\"}};{{end}}", "2;;x=y;");
	fails("{{.Label}}", "wrong number of args for Label");
	fails("{{.Label 1}}", "expected string");
	fails("{{.Name.Label \"a\"}}", "can't evaluate field Label in type string");
}

static void refused(void)
{
	fails("{{.Name", "template: :1:1: unclosed action");
	fails("line1\n  {{foo .Name}}", "template: :2:5: function \"foo\" not defined");
	fails("{{if .A}}x", "missing {{end}}");
	fails("{{end}}", "unexpected {{end}}");
	fails("{{else}}", "unexpected {{else}}");
	fails("{{break}}", "outside {{range}}");
	fails("{{\"unterminated}}", "unterminated quoted string");
	fails("{{.Name 1}}", "can't give argument to non-function");
	fails("{{define \"x\"}}{{end}}", "not supported");
	fails("{{\"\\q\"}}", "unknown escape");
	fails("{{(.Name}}", "unclosed left paren");
	fails("{{.Name}}{{index .Args 5}}",
	      "template: :1:12: executing at <index .Args 5>: error calling "
	      "index: index out of range: 5");
	fails("{{.Name.First}}", "can't evaluate field First in type string");
	fails("{{.Missing.First}}", "nil pointer evaluating interface {}.First");
	fails("{{range .Name}}{{end}}", "range can't iterate over string");
	fails("{{len 3}}", "len of type int");
	fails("{{eq .Name 1}}", "incompatible types for comparison");
	fails("{{join .Name \",\"}}", "expected []string");
	fails("{{$x}}", "undefined variable: $x");
	fails("{{lower}}", "wrong number of args for lower: want 1 got 0");
	fails("{{range $i, $e := 8888888888}}x{{end}}", "range: more than 4194304 iterations");
	fails("{{range 3000}}{{range 3000}}x{{end}}{{end}}", "range: more than 4194304 iterations");
}

int main(void)
{
	json_error_t jerr;

	data = json_loads(data_json, 0, &jerr);
	if (!data) {
		printf("# data: %s\n", jerr.text);
		return 1;
	}
	docker_examples();
	go_semantics();
	go_printf();
	label_method();
	refused();
	json_decref(data);
	return tap_done();
}
