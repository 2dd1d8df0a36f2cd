# IMU features and image preprocessing: one call each, for callgrind
# (see the comment at the top of imu_image_once.cc).
add_executable(locus_imu_image_once imu_image_once.cc)
target_link_libraries(locus_imu_image_once PRIVATE locus_runtime)
target_include_directories(locus_imu_image_once PRIVATE ${PROJECT_SOURCE_DIR})
