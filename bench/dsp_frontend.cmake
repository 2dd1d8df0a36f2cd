# The audio front end over one clip, for instruction counts under callgrind
# (see the comment at the top of frontend_once.cc).
add_executable(locus_frontend_once ${CMAKE_CURRENT_LIST_DIR}/frontend_once.cc)
target_link_libraries(locus_frontend_once PRIVATE locus_host)
target_include_directories(locus_frontend_once PRIVATE ${PROJECT_SOURCE_DIR})
