/* Keeps the support library non-empty. */
typedef int msk_test_support_empty;
