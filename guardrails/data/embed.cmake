# Build step: turns one generated data table (guardrails/data/*.tsv) into a .cpp holding it as a
# string_view, so the classifier reads no file at run time.
# Usage: cmake -DINPUT=table.tsv -DNAME=symbol -DOUT=file.cpp -P embed.cmake
file(READ "${INPUT}" content)
set(text "// Generated from ${INPUT} by guardrails/data/embed.cmake; do not edit.\n#include <string_view>\n\n")
string(APPEND text "namespace jitgate::guardrails::data {\nextern const std::string_view ${NAME};\n")
string(APPEND text "const std::string_view ${NAME} = R\"jitgate_tsv(${content})jitgate_tsv\";\n}\n")
file(WRITE "${OUT}.tmp" "${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
