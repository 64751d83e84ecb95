set -e
mkdir -p arch/x
echo a > arch/x/a
tar --numeric-owner --owner=7 --group=7 -C arch -cf arch.tar x
rm -rf arch
