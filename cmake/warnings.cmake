# Shared INTERFACE targets every jitgate target links: warnings, and build options (sanitizers, fuzzing).
add_library(jitgate_warnings INTERFACE)
target_compile_options(jitgate_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wdouble-promotion
  -Wformat=2 -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wlogical-op>
  $<$<BOOL:${JITGATE_WERROR}>:-Werror>)

add_library(jitgate_options INTERFACE)
if(JITGATE_SANITIZE)
  target_compile_options(jitgate_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                         -fno-sanitize-recover=undefined)
  target_link_options(jitgate_options INTERFACE -fsanitize=address,undefined)
endif()
if(JITGATE_FUZZ)
  target_compile_options(jitgate_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
  target_link_options(jitgate_options INTERFACE -fsanitize=address,undefined)
endif()

# jitgate_add_library(NAME SOURCES...): a folder's library with the shared targets applied.
function(jitgate_add_library name)
  add_library(${name} STATIC ${ARGN})
  target_link_libraries(${name} PRIVATE jitgate_warnings PUBLIC jitgate_options)
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
