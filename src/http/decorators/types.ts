/** A parameter decorator as routing-controllers' `createParamDecorator` returns it. */
export type AuthParamDecorator = (object: object, method: string, index: number) => void;
