set -e
mkdir -p ctx/empty-one ctx/nested/empty-two
echo f > ctx/file
