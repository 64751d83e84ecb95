# Run by BuildCorpus.Tests.ps1 in a copy of this directory: git keeps neither owners nor hard links.
set -e
mkdir -p src/dir/empty src/bin
echo "archived file" > src/dir/file.txt
printf '#!/bin/sh\necho tool\n' > src/bin/tool
chmod 0750 src/bin/tool
chmod 4755 src/dir/file.txt
ln -s ../dir/file.txt src/bin/link
ln src/dir/file.txt src/dir/hardlink
tar --numeric-owner --owner=1001 --group=1001 -C src -cf plain.tar .
tar --numeric-owner --owner=0 --group=50 -C src -czf files.tar.gz dir bin
tar --numeric-owner --owner=1234 --group=4321 -C src -cjf files.tar.bz2 ./dir
tar -C src -cJf files.tar.xz bin
rm -rf src
echo "not an archive" > notatar.tar.gz.txt
