//go:build amd64

#include "textflag.h"

// mathc holds the constants of the exp and erf polynomials (activations.go),
// each repeated in 8 lanes so it can be a 256-bit memory operand.
DATA mathc<>+0(SB)/4, $0xc2aea8f6 // lo
DATA mathc<>+4(SB)/4, $0xc2aea8f6 // lo
DATA mathc<>+8(SB)/4, $0xc2aea8f6 // lo
DATA mathc<>+12(SB)/4, $0xc2aea8f6 // lo
DATA mathc<>+16(SB)/4, $0xc2aea8f6 // lo
DATA mathc<>+20(SB)/4, $0xc2aea8f6 // lo
DATA mathc<>+24(SB)/4, $0xc2aea8f6 // lo
DATA mathc<>+28(SB)/4, $0xc2aea8f6 // lo
DATA mathc<>+32(SB)/4, $0x3fb8aa3b // log2e
DATA mathc<>+36(SB)/4, $0x3fb8aa3b // log2e
DATA mathc<>+40(SB)/4, $0x3fb8aa3b // log2e
DATA mathc<>+44(SB)/4, $0x3fb8aa3b // log2e
DATA mathc<>+48(SB)/4, $0x3fb8aa3b // log2e
DATA mathc<>+52(SB)/4, $0x3fb8aa3b // log2e
DATA mathc<>+56(SB)/4, $0x3fb8aa3b // log2e
DATA mathc<>+60(SB)/4, $0x3fb8aa3b // log2e
DATA mathc<>+64(SB)/4, $0x3f000000 // half
DATA mathc<>+68(SB)/4, $0x3f000000 // half
DATA mathc<>+72(SB)/4, $0x3f000000 // half
DATA mathc<>+76(SB)/4, $0x3f000000 // half
DATA mathc<>+80(SB)/4, $0x3f000000 // half
DATA mathc<>+84(SB)/4, $0x3f000000 // half
DATA mathc<>+88(SB)/4, $0x3f000000 // half
DATA mathc<>+92(SB)/4, $0x3f000000 // half
DATA mathc<>+96(SB)/4, $0x3f318000 // c1
DATA mathc<>+100(SB)/4, $0x3f318000 // c1
DATA mathc<>+104(SB)/4, $0x3f318000 // c1
DATA mathc<>+108(SB)/4, $0x3f318000 // c1
DATA mathc<>+112(SB)/4, $0x3f318000 // c1
DATA mathc<>+116(SB)/4, $0x3f318000 // c1
DATA mathc<>+120(SB)/4, $0x3f318000 // c1
DATA mathc<>+124(SB)/4, $0x3f318000 // c1
DATA mathc<>+128(SB)/4, $0xb95e8083 // c2
DATA mathc<>+132(SB)/4, $0xb95e8083 // c2
DATA mathc<>+136(SB)/4, $0xb95e8083 // c2
DATA mathc<>+140(SB)/4, $0xb95e8083 // c2
DATA mathc<>+144(SB)/4, $0xb95e8083 // c2
DATA mathc<>+148(SB)/4, $0xb95e8083 // c2
DATA mathc<>+152(SB)/4, $0xb95e8083 // c2
DATA mathc<>+156(SB)/4, $0xb95e8083 // c2
DATA mathc<>+160(SB)/4, $0x39506967 // p0
DATA mathc<>+164(SB)/4, $0x39506967 // p0
DATA mathc<>+168(SB)/4, $0x39506967 // p0
DATA mathc<>+172(SB)/4, $0x39506967 // p0
DATA mathc<>+176(SB)/4, $0x39506967 // p0
DATA mathc<>+180(SB)/4, $0x39506967 // p0
DATA mathc<>+184(SB)/4, $0x39506967 // p0
DATA mathc<>+188(SB)/4, $0x39506967 // p0
DATA mathc<>+192(SB)/4, $0x3ab743ce // p1
DATA mathc<>+196(SB)/4, $0x3ab743ce // p1
DATA mathc<>+200(SB)/4, $0x3ab743ce // p1
DATA mathc<>+204(SB)/4, $0x3ab743ce // p1
DATA mathc<>+208(SB)/4, $0x3ab743ce // p1
DATA mathc<>+212(SB)/4, $0x3ab743ce // p1
DATA mathc<>+216(SB)/4, $0x3ab743ce // p1
DATA mathc<>+220(SB)/4, $0x3ab743ce // p1
DATA mathc<>+224(SB)/4, $0x3c088908 // p2
DATA mathc<>+228(SB)/4, $0x3c088908 // p2
DATA mathc<>+232(SB)/4, $0x3c088908 // p2
DATA mathc<>+236(SB)/4, $0x3c088908 // p2
DATA mathc<>+240(SB)/4, $0x3c088908 // p2
DATA mathc<>+244(SB)/4, $0x3c088908 // p2
DATA mathc<>+248(SB)/4, $0x3c088908 // p2
DATA mathc<>+252(SB)/4, $0x3c088908 // p2
DATA mathc<>+256(SB)/4, $0x3d2aa9c1 // p3
DATA mathc<>+260(SB)/4, $0x3d2aa9c1 // p3
DATA mathc<>+264(SB)/4, $0x3d2aa9c1 // p3
DATA mathc<>+268(SB)/4, $0x3d2aa9c1 // p3
DATA mathc<>+272(SB)/4, $0x3d2aa9c1 // p3
DATA mathc<>+276(SB)/4, $0x3d2aa9c1 // p3
DATA mathc<>+280(SB)/4, $0x3d2aa9c1 // p3
DATA mathc<>+284(SB)/4, $0x3d2aa9c1 // p3
DATA mathc<>+288(SB)/4, $0x3e2aaaaa // p4
DATA mathc<>+292(SB)/4, $0x3e2aaaaa // p4
DATA mathc<>+296(SB)/4, $0x3e2aaaaa // p4
DATA mathc<>+300(SB)/4, $0x3e2aaaaa // p4
DATA mathc<>+304(SB)/4, $0x3e2aaaaa // p4
DATA mathc<>+308(SB)/4, $0x3e2aaaaa // p4
DATA mathc<>+312(SB)/4, $0x3e2aaaaa // p4
DATA mathc<>+316(SB)/4, $0x3e2aaaaa // p4
DATA mathc<>+320(SB)/4, $0x3f000000 // p5
DATA mathc<>+324(SB)/4, $0x3f000000 // p5
DATA mathc<>+328(SB)/4, $0x3f000000 // p5
DATA mathc<>+332(SB)/4, $0x3f000000 // p5
DATA mathc<>+336(SB)/4, $0x3f000000 // p5
DATA mathc<>+340(SB)/4, $0x3f000000 // p5
DATA mathc<>+344(SB)/4, $0x3f000000 // p5
DATA mathc<>+348(SB)/4, $0x3f000000 // p5
DATA mathc<>+352(SB)/4, $0x3f800000 // one
DATA mathc<>+356(SB)/4, $0x3f800000 // one
DATA mathc<>+360(SB)/4, $0x3f800000 // one
DATA mathc<>+364(SB)/4, $0x3f800000 // one
DATA mathc<>+368(SB)/4, $0x3f800000 // one
DATA mathc<>+372(SB)/4, $0x3f800000 // one
DATA mathc<>+376(SB)/4, $0x3f800000 // one
DATA mathc<>+380(SB)/4, $0x3f800000 // one
DATA mathc<>+384(SB)/4, $0x0000007f // i127
DATA mathc<>+388(SB)/4, $0x0000007f // i127
DATA mathc<>+392(SB)/4, $0x0000007f // i127
DATA mathc<>+396(SB)/4, $0x0000007f // i127
DATA mathc<>+400(SB)/4, $0x0000007f // i127
DATA mathc<>+404(SB)/4, $0x0000007f // i127
DATA mathc<>+408(SB)/4, $0x0000007f // i127
DATA mathc<>+412(SB)/4, $0x0000007f // i127
DATA mathc<>+416(SB)/4, $0x3f3504f3 // invsqrt2
DATA mathc<>+420(SB)/4, $0x3f3504f3 // invsqrt2
DATA mathc<>+424(SB)/4, $0x3f3504f3 // invsqrt2
DATA mathc<>+428(SB)/4, $0x3f3504f3 // invsqrt2
DATA mathc<>+432(SB)/4, $0x3f3504f3 // invsqrt2
DATA mathc<>+436(SB)/4, $0x3f3504f3 // invsqrt2
DATA mathc<>+440(SB)/4, $0x3f3504f3 // invsqrt2
DATA mathc<>+444(SB)/4, $0x3f3504f3 // invsqrt2
DATA mathc<>+448(SB)/4, $0xc0800000 // m4
DATA mathc<>+452(SB)/4, $0xc0800000 // m4
DATA mathc<>+456(SB)/4, $0xc0800000 // m4
DATA mathc<>+460(SB)/4, $0xc0800000 // m4
DATA mathc<>+464(SB)/4, $0xc0800000 // m4
DATA mathc<>+468(SB)/4, $0xc0800000 // m4
DATA mathc<>+472(SB)/4, $0xc0800000 // m4
DATA mathc<>+476(SB)/4, $0xc0800000 // m4
DATA mathc<>+480(SB)/4, $0x40800000 // p4f
DATA mathc<>+484(SB)/4, $0x40800000 // p4f
DATA mathc<>+488(SB)/4, $0x40800000 // p4f
DATA mathc<>+492(SB)/4, $0x40800000 // p4f
DATA mathc<>+496(SB)/4, $0x40800000 // p4f
DATA mathc<>+500(SB)/4, $0x40800000 // p4f
DATA mathc<>+504(SB)/4, $0x40800000 // p4f
DATA mathc<>+508(SB)/4, $0x40800000 // p4f
DATA mathc<>+512(SB)/4, $0xaf95df0b // a13
DATA mathc<>+516(SB)/4, $0xaf95df0b // a13
DATA mathc<>+520(SB)/4, $0xaf95df0b // a13
DATA mathc<>+524(SB)/4, $0xaf95df0b // a13
DATA mathc<>+528(SB)/4, $0xaf95df0b // a13
DATA mathc<>+532(SB)/4, $0xaf95df0b // a13
DATA mathc<>+536(SB)/4, $0xaf95df0b // a13
DATA mathc<>+540(SB)/4, $0xaf95df0b // a13
DATA mathc<>+544(SB)/4, $0x32edffee // a11
DATA mathc<>+548(SB)/4, $0x32edffee // a11
DATA mathc<>+552(SB)/4, $0x32edffee // a11
DATA mathc<>+556(SB)/4, $0x32edffee // a11
DATA mathc<>+560(SB)/4, $0x32edffee // a11
DATA mathc<>+564(SB)/4, $0x32edffee // a11
DATA mathc<>+568(SB)/4, $0x32edffee // a11
DATA mathc<>+572(SB)/4, $0x32edffee // a11
DATA mathc<>+576(SB)/4, $0xb60cff51 // a9
DATA mathc<>+580(SB)/4, $0xb60cff51 // a9
DATA mathc<>+584(SB)/4, $0xb60cff51 // a9
DATA mathc<>+588(SB)/4, $0xb60cff51 // a9
DATA mathc<>+592(SB)/4, $0xb60cff51 // a9
DATA mathc<>+596(SB)/4, $0xb60cff51 // a9
DATA mathc<>+600(SB)/4, $0xb60cff51 // a9
DATA mathc<>+604(SB)/4, $0xb60cff51 // a9
DATA mathc<>+608(SB)/4, $0xb86ec2d2 // a7
DATA mathc<>+612(SB)/4, $0xb86ec2d2 // a7
DATA mathc<>+616(SB)/4, $0xb86ec2d2 // a7
DATA mathc<>+620(SB)/4, $0xb86ec2d2 // a7
DATA mathc<>+624(SB)/4, $0xb86ec2d2 // a7
DATA mathc<>+628(SB)/4, $0xb86ec2d2 // a7
DATA mathc<>+632(SB)/4, $0xb86ec2d2 // a7
DATA mathc<>+636(SB)/4, $0xb86ec2d2 // a7
DATA mathc<>+640(SB)/4, $0xba40ac63 // a5
DATA mathc<>+644(SB)/4, $0xba40ac63 // a5
DATA mathc<>+648(SB)/4, $0xba40ac63 // a5
DATA mathc<>+652(SB)/4, $0xba40ac63 // a5
DATA mathc<>+656(SB)/4, $0xba40ac63 // a5
DATA mathc<>+660(SB)/4, $0xba40ac63 // a5
DATA mathc<>+664(SB)/4, $0xba40ac63 // a5
DATA mathc<>+668(SB)/4, $0xba40ac63 // a5
DATA mathc<>+672(SB)/4, $0xbb41a1f6 // a3
DATA mathc<>+676(SB)/4, $0xbb41a1f6 // a3
DATA mathc<>+680(SB)/4, $0xbb41a1f6 // a3
DATA mathc<>+684(SB)/4, $0xbb41a1f6 // a3
DATA mathc<>+688(SB)/4, $0xbb41a1f6 // a3
DATA mathc<>+692(SB)/4, $0xbb41a1f6 // a3
DATA mathc<>+696(SB)/4, $0xbb41a1f6 // a3
DATA mathc<>+700(SB)/4, $0xbb41a1f6 // a3
DATA mathc<>+704(SB)/4, $0xbc83dbd4 // a1
DATA mathc<>+708(SB)/4, $0xbc83dbd4 // a1
DATA mathc<>+712(SB)/4, $0xbc83dbd4 // a1
DATA mathc<>+716(SB)/4, $0xbc83dbd4 // a1
DATA mathc<>+720(SB)/4, $0xbc83dbd4 // a1
DATA mathc<>+724(SB)/4, $0xbc83dbd4 // a1
DATA mathc<>+728(SB)/4, $0xbc83dbd4 // a1
DATA mathc<>+732(SB)/4, $0xbc83dbd4 // a1
DATA mathc<>+736(SB)/4, $0xb77460cd // b8
DATA mathc<>+740(SB)/4, $0xb77460cd // b8
DATA mathc<>+744(SB)/4, $0xb77460cd // b8
DATA mathc<>+748(SB)/4, $0xb77460cd // b8
DATA mathc<>+752(SB)/4, $0xb77460cd // b8
DATA mathc<>+756(SB)/4, $0xb77460cd // b8
DATA mathc<>+760(SB)/4, $0xb77460cd // b8
DATA mathc<>+764(SB)/4, $0xb77460cd // b8
DATA mathc<>+768(SB)/4, $0xb95fbd29 // b6
DATA mathc<>+772(SB)/4, $0xb95fbd29 // b6
DATA mathc<>+776(SB)/4, $0xb95fbd29 // b6
DATA mathc<>+780(SB)/4, $0xb95fbd29 // b6
DATA mathc<>+784(SB)/4, $0xb95fbd29 // b6
DATA mathc<>+788(SB)/4, $0xb95fbd29 // b6
DATA mathc<>+792(SB)/4, $0xb95fbd29 // b6
DATA mathc<>+796(SB)/4, $0xb95fbd29 // b6
DATA mathc<>+800(SB)/4, $0xbadc924e // b4
DATA mathc<>+804(SB)/4, $0xbadc924e // b4
DATA mathc<>+808(SB)/4, $0xbadc924e // b4
DATA mathc<>+812(SB)/4, $0xbadc924e // b4
DATA mathc<>+816(SB)/4, $0xbadc924e // b4
DATA mathc<>+820(SB)/4, $0xbadc924e // b4
DATA mathc<>+824(SB)/4, $0xbadc924e // b4
DATA mathc<>+828(SB)/4, $0xbadc924e // b4
DATA mathc<>+832(SB)/4, $0xbbf19bf8 // b2
DATA mathc<>+836(SB)/4, $0xbbf19bf8 // b2
DATA mathc<>+840(SB)/4, $0xbbf19bf8 // b2
DATA mathc<>+844(SB)/4, $0xbbf19bf8 // b2
DATA mathc<>+848(SB)/4, $0xbbf19bf8 // b2
DATA mathc<>+852(SB)/4, $0xbbf19bf8 // b2
DATA mathc<>+856(SB)/4, $0xbbf19bf8 // b2
DATA mathc<>+860(SB)/4, $0xbbf19bf8 // b2
DATA mathc<>+864(SB)/4, $0xbc69b6a7 // b0
DATA mathc<>+868(SB)/4, $0xbc69b6a7 // b0
DATA mathc<>+872(SB)/4, $0xbc69b6a7 // b0
DATA mathc<>+876(SB)/4, $0xbc69b6a7 // b0
DATA mathc<>+880(SB)/4, $0xbc69b6a7 // b0
DATA mathc<>+884(SB)/4, $0xbc69b6a7 // b0
DATA mathc<>+888(SB)/4, $0xbc69b6a7 // b0
DATA mathc<>+892(SB)/4, $0xbc69b6a7 // b0
GLOBL mathc<>(SB), RODATA|NOPTR, $896

// func maxAVX2(n int, x *float32) float32; n is a positive multiple of 8.
TEXT ·maxAVX2(SB), NOSPLIT, $0-20
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VMOVUPS (SI), Y0
	ADDQ $32, SI
	SUBQ $8, CX
maxloop:
	TESTQ CX, CX
	JZ maxdone
	VMAXPS (SI), Y0, Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JMP maxloop
maxdone:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VMOVHLPS X0, X0, X1
	VMAXPS X1, X0, X0
	VPSHUFD $1, X0, X1
	VMAXPS X1, X0, X0
	VZEROUPPER
	MOVSS X0, ret+16(FP)
	RET

// func expSubAVX2(n int, x *float32, m float32) float32
// x[i] = exp(x[i]-m) for i < n (a multiple of 8); returns their sum.
TEXT ·expSubAVX2(SB), NOSPLIT, $0-28
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS m+16(FP), Y15
	VXORPS Y14, Y14, Y14
	VMOVUPS mathc<>+0(SB), Y13
	VMOVUPS mathc<>+32(SB), Y12
	VMOVUPS mathc<>+64(SB), Y11
exploop:
	TESTQ CX, CX
	JZ expdone
	VMOVUPS (SI), Y0
	VSUBPS Y15, Y0, Y0
	VMAXPS Y13, Y0, Y0
	VMOVAPS Y11, Y1
	VFMADD231PS Y12, Y0, Y1
	VROUNDPS $1, Y1, Y1 // n = floor(x·log2e + 0.5)
	VFNMADD231PS mathc<>+96(SB), Y1, Y0
	VFNMADD231PS mathc<>+128(SB), Y1, Y0 // r = x - n·ln2
	VMOVUPS mathc<>+160(SB), Y2
	VFMADD213PS mathc<>+192(SB), Y0, Y2
	VFMADD213PS mathc<>+224(SB), Y0, Y2
	VFMADD213PS mathc<>+256(SB), Y0, Y2
	VFMADD213PS mathc<>+288(SB), Y0, Y2
	VFMADD213PS mathc<>+320(SB), Y0, Y2
	VMULPS Y0, Y0, Y3
	VFMADD213PS Y0, Y3, Y2
	VADDPS mathc<>+352(SB), Y2, Y2
	VCVTPS2DQ Y1, Y1
	VPADDD mathc<>+384(SB), Y1, Y1
	VPSLLD $23, Y1, Y1 // 2**n
	VMULPS Y1, Y2, Y2
	VMOVUPS Y2, (SI)
	VADDPS Y2, Y14, Y14
	ADDQ $32, SI
	SUBQ $8, CX
	JMP exploop
expdone:
	VEXTRACTF128 $1, Y14, X1
	VADDPS X1, X14, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func scalAVX2(n int, x *float32, a float32); x[i] *= a, n a multiple of 8.
TEXT ·scalAVX2(SB), NOSPLIT, $0-20
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS a+16(FP), Y0
scalloop:
	TESTQ CX, CX
	JZ scaldone
	VMULPS (SI), Y0, Y1
	VMOVUPS Y1, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JMP scalloop
scaldone:
	VZEROUPPER
	RET

// func geluBiasAVX2Asm(n int, x *float32, b *float32); x[i] = gelu(x[i]+b[i]), n a multiple of 8.
TEXT ·geluBiasAVX2Asm(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ b+16(FP), DI
	VMOVUPS mathc<>+416(SB), Y15
	VMOVUPS mathc<>+448(SB), Y14
	VMOVUPS mathc<>+480(SB), Y13
	VMOVUPS mathc<>+64(SB), Y12
	VMOVUPS mathc<>+352(SB), Y11
geluloop:
	TESTQ CX, CX
	JZ geludone
	VMOVUPS (SI), Y0
	VADDPS (DI), Y0, Y0
	VMULPS Y15, Y0, Y1
	VMAXPS Y14, Y1, Y1
	VMINPS Y13, Y1, Y1
	VMULPS Y1, Y1, Y2
	VMOVUPS mathc<>+512(SB), Y3
	VFMADD213PS mathc<>+544(SB), Y2, Y3
	VFMADD213PS mathc<>+576(SB), Y2, Y3
	VFMADD213PS mathc<>+608(SB), Y2, Y3
	VFMADD213PS mathc<>+640(SB), Y2, Y3
	VFMADD213PS mathc<>+672(SB), Y2, Y3
	VFMADD213PS mathc<>+704(SB), Y2, Y3
	VMULPS Y1, Y3, Y3
	VMOVUPS mathc<>+736(SB), Y4
	VFMADD213PS mathc<>+768(SB), Y2, Y4
	VFMADD213PS mathc<>+800(SB), Y2, Y4
	VFMADD213PS mathc<>+832(SB), Y2, Y4
	VFMADD213PS mathc<>+864(SB), Y2, Y4
	VDIVPS Y4, Y3, Y3 // erf(x/√2)
	VADDPS Y11, Y3, Y3
	VMULPS Y12, Y0, Y0
	VMULPS Y3, Y0, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP geluloop
geludone:
	VZEROUPPER
	RET
