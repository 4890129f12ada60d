# Installs a folder's npm packages from its committed lockfile, only when
# they are missing or older than the lockfile, then touches a stamp so the
# build knows they are current. Scripts of packages are not run.
# Usage: cmake -DNPM=npm -DDIR=web -DSTAMP=file -P npm-ci.cmake
set(installed "${DIR}/node_modules/.package-lock.json")
if(NOT EXISTS "${installed}" OR "${DIR}/package-lock.json" IS_NEWER_THAN "${installed}")
  message(STATUS "npm ci --prefix ${DIR}")
  execute_process(COMMAND "${NPM}" ci --prefix "${DIR}" --no-audit --no-fund --ignore-scripts
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "npm ci --prefix ${DIR} failed (${rc}): are the packages of "
                        "${DIR}/package-lock.json reachable?")
  endif()
endif()
file(TOUCH "${STAMP}")
