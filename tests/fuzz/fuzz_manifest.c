/* fuzz_manifest.c - libFuzzer target for the manifest, index and image
 * config parsers and the reference parser (src/image/manifest.c,
 * reference.c): whatever a registry or an archive sends must be refused
 * cleanly or parsed into values that hold their promises.
 *   meson setup build-fuzz -Dfuzz=true (CC=clang); ninja -C build-fuzz
 *   build-fuzz/tests/fuzz/fuzz_manifest -max_total_time=60 CORPUS_DIR tests/fuzz/seeds/manifest
 * (new inputs go into the first directory: give it a scratch one) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	struct image_config c;
	struct werr err;
	char *s;

	if (manifest_parse((const char *)data, size, NULL, &m, &err) == 0) {
		for (size_t i = 0; i < m.n_layers; i++)
			if (!digest_valid(m.layers[i].digest) || m.layers[i].size < 0)
				abort();
		if (m.kind == MANIFEST_INDEX) {
			int sel = manifest_select(&m, "linux", "amd64", "", &err);
			if (sel >= (int)m.n_manifests)
				abort();
		}
		manifest_free(&m);
	}
	if (config_parse((const char *)data, size, &c, &err) == 0) {
		char(*chain)[DIGEST_STR_LEN + 1] = calloc(c.n_diff_ids + 1, sizeof(*chain));
		char **v = config_string_array(&c, "Cmd");
		if (chain && c.n_diff_ids)
			manifest_chain_ids(c.diff_ids, c.n_diff_ids, chain);
		free(chain);
		config_strv_free(v);
		config_free(&c);
	}
	s = malloc(size + 1);
	if (s) {
		struct image_ref ref;
		char buf[REF_STR_MAX];
		memcpy(s, data, size);
		s[size] = '\0';
		if (ref_parse(s, &ref, NULL, &err) == 0) {
			ref_format(&ref, buf, sizeof(buf));
			if (ref_parse(buf, &ref, NULL, &err) != 0)
				abort(); /* what we print must parse again */
		}
		free(s);
	}
	return 0;
}
