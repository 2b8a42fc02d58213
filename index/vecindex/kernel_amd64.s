//go:build amd64 && !purego

#include "textflag.h"

// func dots4VNNI(codes *int8, n, stride int, qu8 *uint8, sums *int32, scale *float32, out *float32)
// Four rows at a time: Z8..Z11 accumulate Σ (q+128)·code with VPDPBUSD
// (unsigned query bytes × signed code bytes, 64 per instruction), then the
// four accumulators are reduced together, 128·sum(code) is subtracted, and
// the exact int32 dots are converted and multiplied by the row scales.
TEXT ·dots4VNNI(SB), NOSPLIT, $0-56
	MOVQ codes+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ stride+16(FP), DX
	MOVQ qu8+24(FP), DI
	MOVQ sums+32(FP), R8
	MOVQ scale+40(FP), R9
	MOVQ out+48(FP), R10
	LEAQ (DX)(DX*2), BX // 3·stride
vnniRows:
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	LEAQ (SI)(DX*1), R11
	LEAQ (SI)(DX*2), R12
	LEAQ (SI)(BX*1), R13
	XORQ AX, AX
vnniBlocks:
	VMOVDQU64 (DI)(AX*1), Z0
	VPDPBUSD (SI)(AX*1), Z0, Z8
	VPDPBUSD (R11)(AX*1), Z0, Z9
	VPDPBUSD (R12)(AX*1), Z0, Z10
	VPDPBUSD (R13)(AX*1), Z0, Z11
	ADDQ $64, AX
	CMPQ AX, DX
	JB vnniBlocks
	// 512 → 256 bits per accumulator.
	VEXTRACTI64X4 $1, Z8, Y12
	VPADDD Y12, Y8, Y8
	VEXTRACTI64X4 $1, Z9, Y13
	VPADDD Y13, Y9, Y9
	VEXTRACTI64X4 $1, Z10, Y14
	VPADDD Y14, Y10, Y10
	VEXTRACTI64X4 $1, Z11, Y15
	VPADDD Y15, Y11, Y11
	// Horizontal sums of the four rows into one vector [r0 r1 r2 r3].
	VPHADDD Y9, Y8, Y8
	VPHADDD Y11, Y10, Y10
	VPHADDD Y10, Y8, Y8
	VEXTRACTI128 $1, Y8, X9
	VPADDD X9, X8, X8
	// Undo the +128: subtract 128·sum(code).
	VMOVDQU (R8), X12
	VPSLLD $7, X12, X12
	VPSUBD X12, X8, X8
	VCVTDQ2PS X8, X8
	VMULPS (R9), X8, X8
	VMOVUPS X8, (R10)
	LEAQ (SI)(DX*4), SI
	ADDQ $16, R8
	ADDQ $16, R9
	ADDQ $16, R10
	SUBQ $4, CX
	JNZ vnniRows
	VZEROUPPER
	RET

// func dots4AVX2(codes *int8, n, stride int, qs8 *int8, qabs *uint8, scale *float32, out *float32)
// Four rows at a time, 32 bytes per step: VPSIGNB moves the query's sign
// onto the code, VPMADDUBSW multiplies by |q| and adds pairs into int16
// (at most 2·127·127, no saturation), VPMADDWD by ones widens to int32.
TEXT ·dots4AVX2(SB), NOSPLIT, $0-56
	MOVQ codes+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ stride+16(FP), DX
	MOVQ qs8+24(FP), DI
	MOVQ qabs+32(FP), R8
	MOVQ scale+40(FP), R9
	MOVQ out+48(FP), R10
	LEAQ (DX)(DX*2), BX // 3·stride
	MOVL $0x00010001, AX
	MOVD AX, X15
	VPBROADCASTD X15, Y15 // int16 ones
avx2Rows:
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	VPXOR Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	LEAQ (SI)(DX*1), R11
	LEAQ (SI)(DX*2), R12
	LEAQ (SI)(BX*1), R13
	XORQ AX, AX
avx2Blocks:
	VMOVDQU (DI)(AX*1), Y0 // q
	VMOVDQU (R8)(AX*1), Y1 // |q|
	VMOVDQU (SI)(AX*1), Y2
	VPSIGNB Y0, Y2, Y2
	VPMADDUBSW Y2, Y1, Y2
	VPMADDWD Y15, Y2, Y2
	VPADDD Y2, Y8, Y8
	VMOVDQU (R11)(AX*1), Y3
	VPSIGNB Y0, Y3, Y3
	VPMADDUBSW Y3, Y1, Y3
	VPMADDWD Y15, Y3, Y3
	VPADDD Y3, Y9, Y9
	VMOVDQU (R12)(AX*1), Y4
	VPSIGNB Y0, Y4, Y4
	VPMADDUBSW Y4, Y1, Y4
	VPMADDWD Y15, Y4, Y4
	VPADDD Y4, Y10, Y10
	VMOVDQU (R13)(AX*1), Y5
	VPSIGNB Y0, Y5, Y5
	VPMADDUBSW Y5, Y1, Y5
	VPMADDWD Y15, Y5, Y5
	VPADDD Y5, Y11, Y11
	ADDQ $32, AX
	CMPQ AX, DX
	JB avx2Blocks
	VPHADDD Y9, Y8, Y8
	VPHADDD Y11, Y10, Y10
	VPHADDD Y10, Y8, Y8
	VEXTRACTI128 $1, Y8, X9
	VPADDD X9, X8, X8
	VCVTDQ2PS X8, X8
	VMULPS (R9), X8, X8
	VMOVUPS X8, (R10)
	LEAQ (SI)(DX*4), SI
	ADDQ $16, R9
	ADDQ $16, R10
	SUBQ $4, CX
	JNZ avx2Rows
	VZEROUPPER
	RET
