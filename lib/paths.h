/* paths.h - file locations baked in at build time by the Makefile; flags and env override them. */
#ifndef SP_PATHS_H
#define SP_PATHS_H

/* Build-tree builds (make, make test, make run) bake the checkout's templates/; `make install`
 * builds separately (build/install/) with $(PREFIX)/share/streampulse/templates. The fallback
 * only serves compiles that set nothing (fuzz targets). STREAMPULSE_TEMPLATES overrides it. */
#ifndef SP_TEMPLATE_DIR
#define SP_TEMPLATE_DIR "templates"
#endif

/* The web program's config when STREAMPULSE_CONFIG is unset: $(SYSCONFDIR)/streampulse. */
#ifndef SP_CONFIG_FILE
#define SP_CONFIG_FILE "/etc/streampulse/config.yaml"
#endif

/* The monitor's -c default. Relative in a build tree, where `make run` and cron examples run it
 * from the checkout; the installed build sets it to SP_CONFIG_FILE, so a unit needs no -c. */
#ifndef SP_MONITOR_CONFIG
#define SP_MONITOR_CONFIG "config.yaml"
#endif

#endif
