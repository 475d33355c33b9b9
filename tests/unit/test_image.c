/* test_image.c - unit tests for references, registries.conf, manifests,
 * indexes, configs and chain IDs (TAP). */
#include <stdio.h>
#include <string.h>

#include "manifest.h"
#include "reference.h"
#include "tap.h"

static int parse(const char *s, struct image_ref *r, bool *short_name)
{
	struct werr err;
	return ref_parse(s, r, short_name, &err);
}

static void test_refs(void)
{
	struct image_ref r;
	bool sn;
	char buf[REF_STR_MAX];

	check(parse("busybox", &r, &sn) == 0 && sn && !strcmp(r.domain, "docker.io") &&
	          !strcmp(r.path, "library/busybox") && !strcmp(r.tag, "latest"),
	      "a short name is docker.io/library/NAME:latest");
	check(parse("user/app:1.2", &r, &sn) == 0 && sn && !strcmp(r.path, "user/app") &&
	          !strcmp(r.tag, "1.2"),
	      "user/app:1.2 is on docker.io without library/");
	check(parse("127.0.0.1:5000/x/y", &r, &sn) == 0 && !sn &&
	          !strcmp(r.domain, "127.0.0.1:5000") && !strcmp(r.path, "x/y") &&
	          !strcmp(r.tag, "latest"),
	      "a registry with a port is a domain, not a tag");
	check(parse("localhost/app:v1", &r, &sn) == 0 && !sn && !strcmp(r.domain, "localhost"),
	      "localhost is a domain");
	check(parse("quay.io/a/b@sha256:"
	            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	            &r, &sn) == 0 &&
	          !r.tag[0] &&
	          !strcmp(r.digest + 7,
	                  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
	      "a digest reference has no tag");
	check(parse("Busybox", &r, NULL) < 0, "upper case in a repository is refused");
	check(parse("a//b", &r, NULL) < 0, "an empty component is refused");
	check(parse("a:b:c", &r, NULL) < 0, "a bad tag is refused");
	check(parse("x@sha256:123", &r, NULL) < 0, "a short digest is refused");
	check(parse("", &r, NULL) < 0, "an empty reference is refused");
	check(parse("a/-b", &r, NULL) < 0, "a component starting with a separator is refused");
	parse("docker.io/busybox", &r, NULL);
	ref_format(&r, buf, sizeof(buf));
	check(!strcmp(buf, "docker.io/library/busybox:latest"), "docker.io/busybox gets library/");
	check(!strcmp(ref_registry_host("docker.io"), "registry-1.docker.io"),
	      "docker.io is served by registry-1.docker.io");
}

static void test_conf(void)
{
	char search[REF_SEARCH_MAX][REF_DOMAIN_MAX], alias[REF_STR_MAX] = "";
	size_t n = 0;
	bool ha = false, hs = false;
	const char *conf = "# comment\n"
	                   "unqualified-search-registries = [\"quay.io\", \"docker.io\"]\n"
	                   "[aliases]\n"
	                   "  \"fedora\" = \"registry.fedoraproject.org/fedora\"\n"
	                   "\"other\" = \"x.io/other\"\n";

	ref_conf_parse(conf, "fedora", alias, &ha, search, &n, &hs);
	check(hs && n == 2 && !strcmp(search[0], "quay.io") && !strcmp(search[1], "docker.io"),
	      "unqualified-search-registries in order");
	check(ha && !strcmp(alias, "registry.fedoraproject.org/fedora"), "an alias is found");
	ha = false;
	ref_conf_parse(conf, "nothere", alias, &ha, search, &n, &hs);
	check(!ha, "no alias for a name not listed");
}

static const char oci_manifest[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
    "\"sha256:1111111111111111111111111111111111111111111111111111111111111111\",\"size\":10},"
    "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":"
    "\"sha256:2222222222222222222222222222222222222222222222222222222222222222\",\"size\":20},"
    "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":"
    "\"sha256:3333333333333333333333333333333333333333333333333333333333333333\",\"size\":30}]}";

static const char index_json[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
    "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":"
    "\"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}},"
    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":"
    "\"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

static int mparse(const char *s, struct manifest *m, struct werr *err)
{
	return manifest_parse(s, strlen(s), NULL, m, err);
}

static void test_manifests(void)
{
	struct manifest m;
	struct werr err;
	enum layer_compression c;
	char os[32], arch[32], var[32];

	check(mparse(oci_manifest, &m, &err) == 0 && m.kind == MANIFEST_IMAGE && m.n_layers == 2 &&
	          m.layers[1].size == 30 && m.config.size == 10,
	      "an OCI manifest with a zstd and a Docker gzip layer");
	manifest_free(&m);
	check(mparse(index_json, &m, &err) == 0 && m.kind == MANIFEST_INDEX && m.n_manifests == 2,
	      "an OCI index");
	check(manifest_select(&m, "linux", "amd64", "", &err) == 1, "index: linux/amd64 chosen");
	check(manifest_select(&m, "linux", "arm", "v7", &err) == 0, "index: linux/arm/v7 chosen");
	check(manifest_select(&m, "linux", "s390x", "", &err) < 0 && strstr(err.msg, "linux/amd64"),
	      "index: a missing platform names the ones there are");
	manifest_free(&m);
	check(mparse("{\"schemaVersion\":2,\"layers\":[", &m, &err) < 0 &&
	          strstr(err.msg, "malformed manifest JSON"),
	      "malformed JSON is refused");
	check(mparse("{\"schemaVersion\":1,\"name\":\"x\"}", &m, &err) < 0 &&
	          strstr(err.msg, "schemaVersion"),
	      "schema1 is refused with a reason");
	check(mparse("{\"schemaVersion\":2,\"mediaType\":\"application/x-foo\"}", &m, &err) < 0 &&
	          strstr(err.msg, "unknown manifest media type"),
	      "an unknown manifest media type is refused");
	{
		char bad[sizeof(oci_manifest)];
		memcpy(bad, oci_manifest, sizeof(bad));
		memcpy(strstr(bad, "tar+zstd"), "tar+lzma", 8);
		check(mparse(bad, &m, &err) < 0 && strstr(err.msg, "unknown layer media type"),
		      "an unknown layer media type is refused");
	}
	{
		char bad[sizeof(oci_manifest)];
		memcpy(bad, oci_manifest, sizeof(bad));
		memcpy(strstr(bad, "sha256:2222"), "sha256:222Z", 11);
		check(mparse(bad, &m, &err) < 0 && strstr(err.msg, "digest"),
		      "a malformed layer digest is refused");
	}
	check(manifest_layer_compression("application/vnd.oci.image.layer.v1.tar", &c, &err) == 0 &&
	          c == LAYER_TAR,
	      "an uncompressed layer");
	check(manifest_parse_platform("linux/arm64/v8", os, arch, var, &err) == 0 &&
	          !strcmp(arch, "arm64") && !strcmp(var, "v8"),
	      "--platform os/arch/variant");
	check(manifest_parse_platform("linux", os, arch, var, &err) < 0,
	      "--platform needs an arch");
}

static void test_config_chain(void)
{
	struct image_config c;
	struct werr err;
	char chain[2][DIGEST_STR_LEN + 1];
	const char *cfg =
	    "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"],"
	    "\"Volumes\":{\"/v\":{}}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
	    "\"sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4\","
	    "\"sha256:b4ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4\"]}}";
	char **v;

	check(config_parse(cfg, strlen(cfg), &c, &err) == 0 && c.n_diff_ids == 2 &&
	          !strcmp(c.arch, "amd64"),
	      "a config with two diff_ids");
	v = config_string_array(&c, "Volumes");
	check(v && v[0] && !strcmp(v[0], "/v") && !v[1], "Volumes keys as a list");
	config_strv_free(v);
	manifest_chain_ids(c.diff_ids, 2, chain);
	check(!strcmp(chain[0], c.diff_ids[0]), "the first chain ID is the first diff ID");
	/* sha256("sha256:a3ed… sha256:b4ed…") computed independently with sha256sum */
	check(!strcmp(chain[1], "sha256:"
	                        "f8f3ae3504d459f4b685972509a982ec0791090912ea9d37e049e6ca49817a0a"),
	      "the next chain ID is sha256(chain + \" \" + diff_id)");
	config_free(&c);
	check(config_parse("{\"rootfs\":{}}", 13, &c, &err) < 0, "a config without diff_ids fails");
}

int main(void)
{
	test_refs();
	test_conf();
	test_manifests();
	test_config_chain();
	return tap_done();
}
