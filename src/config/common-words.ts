/**
 * Common English words of three letters or more, lower case: a typed phrase made of them is far
 * weaker than its length says. Used by the secret check's entropy estimate; not exported.
 */
export const COMMON_WORDS: readonly string[] = `
the and for are but not you all any can had her was one our out day get has him his how man new
now old see two way who boy did its let put say she too use dad mom big red run sun fun cat dog
car top yes yet end far few got lot may own set try why ask bad bed box buy cut eat eye fly job
key law leg lie low map mix oil pay pen sea sit six ten war win air art bag bar bit bus cup law
that with have this will your from they know want been good much some time very when come here
just like long make many more only over such take than them well were what also back call came
each even find give hand high keep last left life live look made most move must name need next
open part play said same seem show side tell turn used want ways week went work year about after
again could every first found great house large learn never other place plant point right small
sound spell still study their there these thing think three water where which world would write
above along began being below black board brown carry clean clear close color cover cross early
earth eight field final force front green group heard horse human known light might money month
music night north often order paper party peace piece power press quick quite ready river round
seven short since sleep south space stand start state story table taken today tower train under
until usual voice watch wheel while white whole woman women words young zebra apple happy smile
lazy jump jumps fox dog over quick brown again always animal answer around became become before
behind better between change letter little mother father sister brother number people person
public really school second should simple summer system though travel winter without friend
family garden orange purple yellow silver golden winter spring autumn monday friday sunday
correct battery staple monkey dragon master shadow sunshine princess football baseball welcome
login access hello world love home city town road street country island ocean mountain forest
`
  .split(/\s+/)
  .filter((word) => word.length >= 3);
