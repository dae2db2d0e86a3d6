/*
 * store_kinds.h - the C type of each bind argument, as one character, for the
 * store macros to pass along (see store.h: "Bind arguments are checked").
 *
 * STORE__KIND(x) is 'i' for a 64-bit integer, 'd' for int and its narrower
 * kin, 's' for a string or NULL, '?' for anything else (size_t, double, ...).
 * STORE__KINDS(a, b, ...) is a NUL-terminated array of the kinds of up to 40
 * arguments.  _Generic does not evaluate its operand: arguments are evaluated
 * once, by the call itself.
 */
#ifndef CORDON_STORE_STORE_KINDS_H
#define CORDON_STORE_STORE_KINDS_H

#define STORE__KIND(x)                                                                                              \
    _Generic((x), long: 'i', long long: 'i', int: 'd', unsigned: 'd', short: 'd', unsigned short: 'd', char: 'd',  \
        signed char: 'd', unsigned char: 'd', _Bool: 'd', char *: 's', const char *: 's', void *: 's', default: '?')

#define STORE__K1(x) STORE__KIND(x)
#define STORE__K2(x, ...) STORE__KIND(x), STORE__K1(__VA_ARGS__)
#define STORE__K3(x, ...) STORE__KIND(x), STORE__K2(__VA_ARGS__)
#define STORE__K4(x, ...) STORE__KIND(x), STORE__K3(__VA_ARGS__)
#define STORE__K5(x, ...) STORE__KIND(x), STORE__K4(__VA_ARGS__)
#define STORE__K6(x, ...) STORE__KIND(x), STORE__K5(__VA_ARGS__)
#define STORE__K7(x, ...) STORE__KIND(x), STORE__K6(__VA_ARGS__)
#define STORE__K8(x, ...) STORE__KIND(x), STORE__K7(__VA_ARGS__)
#define STORE__K9(x, ...) STORE__KIND(x), STORE__K8(__VA_ARGS__)
#define STORE__K10(x, ...) STORE__KIND(x), STORE__K9(__VA_ARGS__)
#define STORE__K11(x, ...) STORE__KIND(x), STORE__K10(__VA_ARGS__)
#define STORE__K12(x, ...) STORE__KIND(x), STORE__K11(__VA_ARGS__)
#define STORE__K13(x, ...) STORE__KIND(x), STORE__K12(__VA_ARGS__)
#define STORE__K14(x, ...) STORE__KIND(x), STORE__K13(__VA_ARGS__)
#define STORE__K15(x, ...) STORE__KIND(x), STORE__K14(__VA_ARGS__)
#define STORE__K16(x, ...) STORE__KIND(x), STORE__K15(__VA_ARGS__)
#define STORE__K17(x, ...) STORE__KIND(x), STORE__K16(__VA_ARGS__)
#define STORE__K18(x, ...) STORE__KIND(x), STORE__K17(__VA_ARGS__)
#define STORE__K19(x, ...) STORE__KIND(x), STORE__K18(__VA_ARGS__)
#define STORE__K20(x, ...) STORE__KIND(x), STORE__K19(__VA_ARGS__)
#define STORE__K21(x, ...) STORE__KIND(x), STORE__K20(__VA_ARGS__)
#define STORE__K22(x, ...) STORE__KIND(x), STORE__K21(__VA_ARGS__)
#define STORE__K23(x, ...) STORE__KIND(x), STORE__K22(__VA_ARGS__)
#define STORE__K24(x, ...) STORE__KIND(x), STORE__K23(__VA_ARGS__)
#define STORE__K25(x, ...) STORE__KIND(x), STORE__K24(__VA_ARGS__)
#define STORE__K26(x, ...) STORE__KIND(x), STORE__K25(__VA_ARGS__)
#define STORE__K27(x, ...) STORE__KIND(x), STORE__K26(__VA_ARGS__)
#define STORE__K28(x, ...) STORE__KIND(x), STORE__K27(__VA_ARGS__)
#define STORE__K29(x, ...) STORE__KIND(x), STORE__K28(__VA_ARGS__)
#define STORE__K30(x, ...) STORE__KIND(x), STORE__K29(__VA_ARGS__)
#define STORE__K31(x, ...) STORE__KIND(x), STORE__K30(__VA_ARGS__)
#define STORE__K32(x, ...) STORE__KIND(x), STORE__K31(__VA_ARGS__)
#define STORE__K33(x, ...) STORE__KIND(x), STORE__K32(__VA_ARGS__)
#define STORE__K34(x, ...) STORE__KIND(x), STORE__K33(__VA_ARGS__)
#define STORE__K35(x, ...) STORE__KIND(x), STORE__K34(__VA_ARGS__)
#define STORE__K36(x, ...) STORE__KIND(x), STORE__K35(__VA_ARGS__)
#define STORE__K37(x, ...) STORE__KIND(x), STORE__K36(__VA_ARGS__)
#define STORE__K38(x, ...) STORE__KIND(x), STORE__K37(__VA_ARGS__)
#define STORE__K39(x, ...) STORE__KIND(x), STORE__K38(__VA_ARGS__)
#define STORE__K40(x, ...) STORE__KIND(x), STORE__K39(__VA_ARGS__)
#define STORE__PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, \
    _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, name, ...) name
#define STORE__KINDS(...) \
    ((const char[]){STORE__PICK(__VA_ARGS__, STORE__K40, STORE__K39, STORE__K38, STORE__K37, STORE__K36, \
        STORE__K35, STORE__K34, STORE__K33, STORE__K32, STORE__K31, STORE__K30, STORE__K29, STORE__K28, \
        STORE__K27, STORE__K26, STORE__K25, STORE__K24, STORE__K23, STORE__K22, STORE__K21, STORE__K20, \
        STORE__K19, STORE__K18, STORE__K17, STORE__K16, STORE__K15, STORE__K14, STORE__K13, STORE__K12, \
        STORE__K11, STORE__K10, STORE__K9, STORE__K8, STORE__K7, STORE__K6, STORE__K5, STORE__K4, STORE__K3, \
        STORE__K2, STORE__K1)(__VA_ARGS__), 0})

#endif
