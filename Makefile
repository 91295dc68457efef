# Thin wrapper: the build is meson's. `make` builds, `make check` runs unit + fuzz + vm,
# `make seeds` runs the seed scenarios, `make deps` installs what all of it needs.
BUILDDIR ?= build
MESON_SETUP_ARGS ?=

all: $(BUILDDIR)/build.ninja
	meson compile -C $(BUILDDIR)

$(BUILDDIR)/build.ninja:
	meson setup $(BUILDDIR) $(MESON_SETUP_ARGS)

check: all
	meson test -C $(BUILDDIR) --print-errorlogs

bench: all
	meson test -C $(BUILDDIR) --setup bench --suite bench --print-errorlogs -v

seeds: all
	$(BUILDDIR)/harness/shell/bootcheck scenarios/*/

clean:
	rm -rf $(BUILDDIR)

deps:
	.ci/install-deps

.PHONY: all check bench seeds clean deps
