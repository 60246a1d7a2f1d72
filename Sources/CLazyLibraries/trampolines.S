/* One trampoline per GDAL and PROJ function caravan calls (symbols.def): see include/lazy_libraries.h.
   A trampoline jumps through its pointer, which first points to its resolver stub: that saves the
   argument registers, asks caravan_lazy_resolve (loader.c) for the function, stores it in the
   pointer, restores the registers and jumps on, so the call goes on as if made directly. The
   symbols are hidden: only caravan's own code reaches them, never GDAL's calls to itself. */

/* The parts of a trampoline both architectures share: its symbol, and its pointer (first to its
   resolver stub) and record (the library's number, then the function's name). */
.macro LAZY_SYMBOL name
        .text
        .globl \name
        .hidden \name
        .type \name, %function
.endm

.macro LAZY_DATA library, name
        .data
        .p2align 3
.Lpointer_\name:
        .quad .Lresolve_\name
        .section .rodata
.Lrecord_\name:
        .byte \library
        .asciz "\name"
.endm

#if defined(__ELF__) && defined(__x86_64__)

        .text
        .p2align 4
        .type caravan_lazy_common, @function
/* %r11: the pointer to fill; %r10: the record (library number, name). */
caravan_lazy_common:
        pushq %rbp
        movq %rsp, %rbp
        subq $192, %rsp
        movq %rdi, 0(%rsp)
        movq %rsi, 8(%rsp)
        movq %rdx, 16(%rsp)
        movq %rcx, 24(%rsp)
        movq %r8, 32(%rsp)
        movq %r9, 40(%rsp)
        movq %rax, 48(%rsp)          /* a variadic call's count of vector registers */
        movaps %xmm0, 64(%rsp)
        movaps %xmm1, 80(%rsp)
        movaps %xmm2, 96(%rsp)
        movaps %xmm3, 112(%rsp)
        movaps %xmm4, 128(%rsp)
        movaps %xmm5, 144(%rsp)
        movaps %xmm6, 160(%rsp)
        movaps %xmm7, 176(%rsp)
        movq %r11, %rdi
        movq %r10, %rsi
        call caravan_lazy_resolve
        movq %rax, %r11
        movq 0(%rsp), %rdi
        movq 8(%rsp), %rsi
        movq 16(%rsp), %rdx
        movq 24(%rsp), %rcx
        movq 32(%rsp), %r8
        movq 40(%rsp), %r9
        movq 48(%rsp), %rax
        movaps 64(%rsp), %xmm0
        movaps 80(%rsp), %xmm1
        movaps 96(%rsp), %xmm2
        movaps 112(%rsp), %xmm3
        movaps 128(%rsp), %xmm4
        movaps 144(%rsp), %xmm5
        movaps 160(%rsp), %xmm6
        movaps 176(%rsp), %xmm7
        movq %rbp, %rsp
        popq %rbp
        jmp *%r11
        .size caravan_lazy_common, .-caravan_lazy_common

.macro LAZY library, name
        LAZY_SYMBOL \name
        .p2align 4
\name:
        jmp *.Lpointer_\name(%rip)
.Lresolve_\name:
        leaq .Lpointer_\name(%rip), %r11
        leaq .Lrecord_\name(%rip), %r10
        jmp caravan_lazy_common
        .size \name, .-\name
        LAZY_DATA \library, \name
.endm

#elif defined(__ELF__) && defined(__aarch64__)

        .text
        .p2align 2
        .type caravan_lazy_common, %function
/* x16: the pointer to fill; x17: the record (library number, name). */
caravan_lazy_common:
        stp x29, x30, [sp, #-224]!
        mov x29, sp
        stp x0, x1, [sp, #16]
        stp x2, x3, [sp, #32]
        stp x4, x5, [sp, #48]
        stp x6, x7, [sp, #64]
        str x8, [sp, #80]            /* an indirect result's address */
        stp q0, q1, [sp, #96]
        stp q2, q3, [sp, #128]
        stp q4, q5, [sp, #160]
        stp q6, q7, [sp, #192]
        mov x0, x16
        mov x1, x17
        bl caravan_lazy_resolve
        mov x16, x0
        ldp x0, x1, [sp, #16]
        ldp x2, x3, [sp, #32]
        ldp x4, x5, [sp, #48]
        ldp x6, x7, [sp, #64]
        ldr x8, [sp, #80]
        ldp q0, q1, [sp, #96]
        ldp q2, q3, [sp, #128]
        ldp q4, q5, [sp, #160]
        ldp q6, q7, [sp, #192]
        ldp x29, x30, [sp], #224
        br x16
        .size caravan_lazy_common, .-caravan_lazy_common

.macro LAZY library, name
        LAZY_SYMBOL \name
        .p2align 2
\name:
        adrp x16, .Lpointer_\name
        ldr x16, [x16, #:lo12:.Lpointer_\name]
        br x16
.Lresolve_\name:
        adrp x16, .Lpointer_\name
        add x16, x16, #:lo12:.Lpointer_\name
        adrp x17, .Lrecord_\name
        add x17, x17, #:lo12:.Lrecord_\name
        b caravan_lazy_common
        .size \name, .-\name
        LAZY_DATA \library, \name
.endm

#else
#error "the lazy GDAL and PROJ trampolines are written for x86_64 and arm64 ELF (Linux) only"
#endif

#define GDAL(name) LAZY 0, name
#define PROJ(name) LAZY 1, name
#include "symbols.def"

        .section .note.GNU-stack, "", %progbits
