# Writes every stdlib .kh file into one C++ include: {"name", R"kh(...)kh"}, entries.
# Run by the build (CMakeLists.txt); OUT and FILES are passed with -D.
separate_arguments(FILES)
set(content "// Generated from stdlib/*.kh by stdlib/embed.cmake. Do not edit.\n")
foreach(f IN LISTS FILES)
  get_filename_component(name "${f}" NAME_WE)
  file(READ "${f}" text)
  string(APPEND content "{\"${name}\", R\"khstd(${text})khstd\"},\n")
endforeach()
file(WRITE "${OUT}" "${content}")
