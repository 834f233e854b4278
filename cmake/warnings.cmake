# Warnings and sanitizers live on one INTERFACE target that every target of ours links.
add_library(dlcs_warnings INTERFACE)
target_compile_options(dlcs_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wformat=2 -Wconversion -Wsign-conversion -Wvla -Wimplicit-fallthrough
  $<$<BOOL:${DLCS_WERROR}>:-Werror>)
target_compile_definitions(dlcs_warnings INTERFACE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
if(DLCS_SANITIZE)
  target_compile_options(dlcs_warnings INTERFACE
    -fsanitize=${DLCS_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(dlcs_warnings INTERFACE -fsanitize=${DLCS_SANITIZE})
endif()
