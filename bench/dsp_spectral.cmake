# Spectral DSP blocks: MLPerf KWS accuracy from raw audio, and one MFCC clip
# for callgrind instruction counts.
add_executable(locus_kws_accuracy ${CMAKE_CURRENT_LIST_DIR}/kws_accuracy.cc)
target_link_libraries(locus_kws_accuracy PRIVATE locus_host)
target_include_directories(locus_kws_accuracy PRIVATE ${PROJECT_SOURCE_DIR})

add_executable(locus_spectral_once ${CMAKE_CURRENT_LIST_DIR}/spectral_once.cc)
target_link_libraries(locus_spectral_once PRIVATE locus_host)
target_include_directories(locus_spectral_once PRIVATE ${PROJECT_SOURCE_DIR})
