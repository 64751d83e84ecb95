set -e
mkdir -p linked
echo "one inode" > linked/a
ln linked/a linked/b
