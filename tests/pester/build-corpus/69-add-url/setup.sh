set -e
mkdir -p src && echo in-archive > src/f && tar -C src -cf www/archive.tar f && rm -rf src
