/* placeholder, replaced by the harness smoke suite */
int main(void) { return 0; }
