# Convenience wrapper over meson and the project's scripts.
.PHONY: all test fuzz format bench clean
all:
	scripts/deps.sh
	[ -f build/build.ninja ] || meson setup build
	ninja -C build
test:
	tests/run.sh
fuzz:
	scripts/fuzz.sh
format:
	git ls-files '*.c' '*.h' | xargs clang-format -i
bench:
	for b in bench/*; do [ -x "$$b" ] && "$$b"; done
clean:
	rm -rf build
