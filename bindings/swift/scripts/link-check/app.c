/* An app using two Rust libraries: ours (the uniffi contract version, the first call the
 * generated Swift makes) and another vendor's SDK (other_sdk.rs). Built by test-link.sh. */
#include <stdint.h>
#include <stdio.h>

uint32_t ffi_mynasign_ffi_uniffi_contract_version(void);
int32_t uniffi_othersdk_fn_func_answer(void);

int main(void) {
    printf("mynasign contract %u, other SDK %d\n",
           (unsigned)ffi_mynasign_ffi_uniffi_contract_version(), (int)uniffi_othersdk_fn_func_answer());
    return 0;
}
