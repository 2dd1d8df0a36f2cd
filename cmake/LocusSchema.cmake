# Generates the capsule schema's C++ header with flatc into the build tree,
# and a directory exposing only the FlatBuffers headers (so cross builds
# never see the host's /usr/include).
find_program(FLATC flatc REQUIRED)
set(LOCUS_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
set(LOCUS_CAPSULE_HEADER ${LOCUS_GENERATED_DIR}/locus/schema/capsule_generated.h)
add_custom_command(
  OUTPUT ${LOCUS_CAPSULE_HEADER}
  COMMAND ${FLATC} --cpp --gen-object-api --gen-mutable --scoped-enums
          -o ${LOCUS_GENERATED_DIR}/locus/schema ${PROJECT_SOURCE_DIR}/schema/capsule.fbs
  DEPENDS ${PROJECT_SOURCE_DIR}/schema/capsule.fbs
  COMMENT "flatc: schema/capsule.fbs")
add_custom_target(locus_schema DEPENDS ${LOCUS_CAPSULE_HEADER})

set(LOCUS_FLATBUFFERS_INCLUDE ${CMAKE_BINARY_DIR}/flatbuffers-include)
find_path(FLATBUFFERS_HEADER_DIR flatbuffers/flatbuffers.h REQUIRED
          PATHS /usr/include /usr/local/include NO_CMAKE_FIND_ROOT_PATH)
file(MAKE_DIRECTORY ${LOCUS_FLATBUFFERS_INCLUDE})
file(CREATE_LINK ${FLATBUFFERS_HEADER_DIR}/flatbuffers
     ${LOCUS_FLATBUFFERS_INCLUDE}/flatbuffers SYMBOLIC)
