// placeholder: the kaohe command is being written
int main() { return 2; }
